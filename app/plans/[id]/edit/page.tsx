import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError } from '@/lib/core/errors.ts';
import { formValuesOf } from '@/lib/plans/plan-form.ts';
import { getPlanView, type PlanView } from '@/lib/plans/plan-store.ts';
import { listServers } from '@/lib/runs/servers.ts';
import { listTargets } from '@/lib/targets/target-store.ts';
import { PageTitle } from '../../../_components/ui.tsx';
import { PlanForm } from '../../plan-form.tsx';

export const metadata: Metadata = { title: 'Edit plan' };

export default async function EditPlanPage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  await requireSession();
  const { id } = await params;
  let plan: PlanView;
  try {
    plan = await getPlanView({ id });
  } catch (error) {
    if (isParadumpError(error, 'PLAN_NOT_FOUND')) notFound();
    throw error;
  }
  const [servers, targets] = await Promise.all([listServers(), listTargets()]);
  return (
    <main className="mx-auto max-w-4xl px-6 py-10">
      <PageTitle>Edit plan “{plan.name}”</PageTitle>
      <PlanForm servers={servers.map((s) => ({ id: s.id, name: s.name, address: `${s.user}@${s.host}:${s.port}` }))} targets={targets.map((t) => ({ id: t.id, name: t.name, location: t.location }))} initial={formValuesOf(plan)} planId={plan.id} hasWebhookSecret={plan.webhookHasSecret} hasSmtpPassword={plan.smtpHasPassword} />
    </main>
  );
}

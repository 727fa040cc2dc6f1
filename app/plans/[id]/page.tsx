import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError } from '@/lib/core/errors.ts';
import { getPlanDetail } from '@/lib/plans/plan-summaries.ts';
import { listTargets } from '@/lib/targets/target-store.ts';
import { PageTitle } from '../../_components/ui.tsx';
import { PlanBadge } from '../plan-badge.tsx';
import { DrillSection } from './drill-section.tsx';
import { PlanActions } from './plan-actions.tsx';
import { PlanFacts } from './plan-facts.tsx';
import { PlanHistory } from './plan-history.tsx';
import { PlanLogSection } from './plan-log-section.tsx';

export const metadata: Metadata = { title: 'Plan' };

export default async function PlanPage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  await requireSession();
  const { id } = await params;
  let detail: Awaited<ReturnType<typeof getPlanDetail>>;
  try {
    detail = await getPlanDetail({ id });
  } catch (error) {
    if (isParadumpError(error, 'PLAN_NOT_FOUND')) notFound();
    throw error;
  }
  const { summary, runs, log } = detail;
  const { plan } = summary;
  const targets = plan.copyTargetIds.length ? await listTargets() : [];
  const copiesTo = targets.filter((t) => plan.copyTargetIds.includes(t.id)).map((t) => t.name);
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <PageTitle subtitle={`${plan.serverName} · ${[...plan.databases, ...plan.tables].join(', ')}`}>
        {plan.name} <PlanBadge summary={summary} />
      </PageTitle>
      <PlanActions planId={plan.id} paused={plan.paused} hasChannel={Boolean(plan.alerts.webhook || plan.alerts.email)} />
      <PlanFacts summary={summary} copiesTo={copiesTo} />
      <PlanHistory runs={runs} />
      <DrillSection planId={plan.id} />
      <PlanLogSection log={log} />
    </main>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { listServers } from '@/lib/runs/servers.ts';
import { listTargets } from '@/lib/targets/target-store.ts';
import { buttonClass, PageTitle } from '../../_components/ui.tsx';
import { PlanForm } from '../plan-form.tsx';

export const metadata: Metadata = { title: 'New plan' };

export default async function NewPlanPage() {
  await connection();
  await requireSession();
  const [servers, targets] = await Promise.all([listServers(), listTargets()]);
  if (servers.length === 0) {
    return (
      <main className="mx-auto max-w-3xl px-6 py-10">
        <PageTitle>New plan</PageTitle>
        <p className="mb-4 text-zinc-600 dark:text-zinc-400">Add a server first: a plan backs up one of them.</p>
        <Link href="/servers" className={buttonClass}>
          Add a server
        </Link>
      </main>
    );
  }
  return (
    <main className="mx-auto max-w-4xl px-6 py-10">
      <PageTitle subtitle="What to back up, when, how long to keep it and who to tell.">New plan</PageTitle>
      <PlanForm servers={servers.map((s) => ({ id: s.id, name: s.name, address: `${s.user}@${s.host}:${s.port}` }))} targets={targets.map((t) => ({ id: t.id, name: t.name, location: t.location }))} initial={{}} planId={null} hasWebhookSecret={false} hasSmtpPassword={false} />
    </main>
  );
}

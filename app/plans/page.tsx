import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { listDrillSummaries } from '@/lib/drills/drill-summaries.ts';
import { listPlanSummaries } from '@/lib/plans/plan-summaries.ts';
import { buttonClass, PageTitle } from '../_components/ui.tsx';
import { PlansTable } from './plans-table.tsx';

export const metadata: Metadata = { title: 'Plans' };

export default async function PlansPage() {
  await connection();
  await requireSession();
  const [summaries, drills] = await Promise.all([listPlanSummaries(), listDrillSummaries()]);
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageTitle subtitle="Backups that run on a schedule, keep a history and alert you when something goes wrong.">Backup plans</PageTitle>
        <Link href="/plans/new" className={buttonClass}>
          New plan
        </Link>
      </div>
      {summaries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-zinc-500 dark:border-zinc-700">No plans yet</p>
      ) : (
        <PlansTable summaries={summaries} caption="Backup plans" drills={drills} />
      )}
    </main>
  );
}

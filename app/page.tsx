import { requireSession } from '@/lib/auth/require-session.ts';
import Link from 'next/link';
import { connection } from 'next/server';
import { listServers } from '@/lib/runs/servers.ts';
import { sandboxAvailable } from '@/lib/runs/start-sandbox.ts';
import { listRecentRuns, RunFilter, summarizeRuns } from '@/lib/store/list-recent-runs.ts';
import { listDrillSummaries } from '@/lib/drills/drill-summaries.ts';
import { listPlanSummaries } from '@/lib/plans/plan-summaries.ts';
import { PlansGlance } from './_overview/plans-glance.tsx';
import { RecentRuns } from './_overview/recent-runs.tsx';
import { RunTotals } from './_overview/run-totals.tsx';
import { buttonClass } from './_components/ui.tsx';

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Read the store at request time: without this the page would be prerendered once at build.
  await connection();
  await requireSession();
  const params = await searchParams;
  const filter = RunFilter.parse({ status: one(params.status) || undefined, serverId: one(params.server) || undefined });
  const [runs, totals, servers, plans, drills] = await Promise.all([listRecentRuns({ limit: 50, ...filter }), summarizeRuns(), listServers(), listPlanSummaries(), listDrillSummaries()]);

  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <header className="mb-8 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-semibold tracking-tight">paradump</h1>
          <p className="mt-2 text-zinc-600 dark:text-zinc-400">Parallel, chunked, consistent dumps and restores for MySQL and MariaDB.</p>
        </div>
        <Link href="/backups/new" className={buttonClass}>
          New backup
        </Link>
      </header>
      <PlansGlance plans={plans} drills={drills} />
      <RunTotals totals={totals} />
      <RecentRuns runs={runs} filter={filter} servers={servers} sandboxAvailable={sandboxAvailable()} />
    </main>
  );
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

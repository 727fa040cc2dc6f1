import { requireSession } from '@/lib/auth/require-session.ts';
import Link from 'next/link';
import { connection } from 'next/server';
import { listServers } from '@/lib/runs/servers.ts';
import { sandboxAvailable } from '@/lib/runs/start-sandbox.ts';
import { listRecentRuns, RunFilter, summarizeRuns } from '@/lib/store/list-recent-runs.ts';
import { listDrillSummaries } from '@/lib/drills/drill-summaries.ts';
import { listPlanSummaries } from '@/lib/plans/plan-summaries.ts';
import { PlansTable } from './plans/plans-table.tsx';
import { RunsTable } from './_components/runs-table.tsx';
import { SandboxButton } from './_components/sandbox-button.tsx';
import { buttonClass, cardClass, inputClass, secondaryButtonClass } from './_components/ui.tsx';
import { formatBytes, formatTimestamp } from './_lib/format.ts';

const STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'queued'] as const;

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Read the store at request time: without this the page would be prerendered once at build.
  await connection();
  await requireSession();
  const params = await searchParams;
  const filter = RunFilter.parse({ status: one(params.status) || undefined, serverId: one(params.server) || undefined });
  const [runs, totals, servers, plans, drills] = await Promise.all([listRecentRuns({ limit: 50, ...filter }), summarizeRuns(), listServers(), listPlanSummaries(), listDrillSummaries()]);
  const failedDrills = [...drills.values()].filter((d) => d.red).length;
  const stale = plans.filter((p) => p.stale).length;
  const filtered = Boolean(filter.status || filter.serverId);
  const rate = totals.finishedDumps ? Math.round((totals.succeededDumps / totals.finishedDumps) * 100) : null;

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

      {plans.length > 0 ? (
        <section aria-labelledby="plans" className="mb-8">
          <div className="mb-3 flex items-baseline justify-between gap-4">
            <h2 id="plans" className="text-lg font-medium">
              Plans{stale ? <span className="ml-2 text-sm text-red-700 dark:text-red-400">{stale} stale</span> : null}
              {failedDrills ? <span className="ml-2 text-sm text-red-700 dark:text-red-400">{failedDrills} restore drill{failedDrills > 1 ? 's' : ''} failing or overdue</span> : null}
            </h2>
            <Link href="/plans" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
              All plans
            </Link>
          </div>
          {/* Stale plans come first: they are what needs looking at. */}
          <PlansTable summaries={plans.slice(0, 8)} caption="Plans, stale first" drills={drills} />
        </section>
      ) : null}

      <section aria-labelledby="totals" className="mb-8">
        <h2 id="totals" className="sr-only">
          Totals
        </h2>
        <dl className="grid gap-4 sm:grid-cols-3">
          <div className={cardClass}>
            <dt className="text-sm text-zinc-500 dark:text-zinc-400">Success rate</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums">{rate === null ? '—' : `${rate}%`}</dd>
            <dd className="text-xs text-zinc-500">
              {totals.succeededDumps} of {totals.finishedDumps} finished backups
            </dd>
          </div>
          <div className={cardClass}>
            <dt className="text-sm text-zinc-500 dark:text-zinc-400">Data protected</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums">{formatBytes(totals.protectedBytes)}</dd>
            <dd className="text-xs text-zinc-500">latest good backup of each server</dd>
          </div>
          <div className={cardClass}>
            <dt className="text-sm text-zinc-500 dark:text-zinc-400">Last good backup</dt>
            {totals.lastGoodPerServer.length === 0 ? (
              <dd className="mt-1 text-sm text-zinc-500">none yet</dd>
            ) : (
              totals.lastGoodPerServer.map((s) => (
                <dd key={s.serverId} className="mt-1 flex justify-between gap-2 text-sm">
                  <span className="truncate">{s.serverName}</span>
                  <Link href={`/runs/${s.runId}`} className="whitespace-nowrap text-sky-700 hover:underline dark:text-sky-400">
                    {formatTimestamp(s.finishedAt)}
                  </Link>
                </dd>
              ))
            )}
          </div>
        </dl>
      </section>

      <section aria-labelledby="recent-runs">
        <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
          <h2 id="recent-runs" className="text-lg font-medium">
            Recent runs
          </h2>
          <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Filter runs">
            <label className="text-sm">
              <span className="block text-xs text-zinc-500">Status</span>
              <select name="status" defaultValue={filter.status ?? ''} className={inputClass}>
                <option value="">Any status</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label className="text-sm">
              <span className="block text-xs text-zinc-500">Server</span>
              <select name="server" defaultValue={filter.serverId ?? ''} className={inputClass}>
                <option value="">Any server</option>
                {servers.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className={secondaryButtonClass}>
              Filter
            </button>
            {filtered ? (
              <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
                Clear
              </Link>
            ) : null}
          </form>
        </div>
        {runs.length > 0 ? (
          <RunsTable runs={runs} caption="Recent runs" />
        ) : filtered ? (
          <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">No runs match these filters</p>
        ) : (
          <div className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center dark:border-zinc-700">
            <p className="text-zinc-500 dark:text-zinc-400">No runs yet</p>
            <div className="mt-4 flex flex-wrap items-start justify-center gap-3">
              <Link href={servers.length ? '/backups/new' : '/servers'} className={buttonClass}>
                {servers.length ? 'Start your first backup' : 'Add a server'}
              </Link>
              <SandboxButton available={sandboxAvailable()} />
            </div>
          </div>
        )}
      </section>
    </main>
  );
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError } from '@/lib/core/errors.ts';
import { getPlanDetail } from '@/lib/plans/plan-summaries.ts';
import { describeError } from '@/lib/runs/errors.ts';
import { cardClass, PageTitle, StatusBadge } from '../../_components/ui.tsx';
import { formatBytes, formatDuration, formatTimestamp } from '../../_lib/format.ts';
import { age, PlanBadge } from '../plan-badge.tsx';
import { HistoryChart } from './history-chart.tsx';
import { DrillSection } from './drill-section.tsx';
import { PlanActions } from './plan-actions.tsx';

export const metadata: Metadata = { title: 'Plan' };

const LEVEL_STYLE = { info: 'text-zinc-600 dark:text-zinc-400', warning: 'text-amber-700 dark:text-amber-400', error: 'text-red-700 dark:text-red-400' } as const;

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
  const points = runs
    .filter((r) => r.status === 'succeeded')
    .slice(0, 30)
    .reverse()
    .map((r) => ({ t: r.startedAt.getTime(), mib: Math.round((r.bytes / 1048576) * 100) / 100, seconds: r.durationMs === null ? null : Math.round(r.durationMs / 100) / 10 }));
  const r = plan.retention;
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <PageTitle subtitle={`${plan.serverName} · ${[...plan.databases, ...plan.tables].join(', ')}`}>
        {plan.name} <PlanBadge summary={summary} />
      </PageTitle>
      <PlanActions planId={plan.id} paused={plan.paused} hasChannel={Boolean(plan.alerts.webhook || plan.alerts.email)} />

      <dl className="my-8 grid gap-4 sm:grid-cols-4">
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Schedule</dt>
          <dd className="mt-1 text-sm font-medium">{summary.description}</dd>
        </div>
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Next run</dt>
          <dd className="mt-1 text-sm font-medium" data-testid="next-run">{plan.paused ? 'paused' : summary.nextRunAt ? formatTimestamp(summary.nextRunAt) : '—'}</dd>
        </div>
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Last good backup</dt>
          <dd className={`mt-1 text-sm font-medium ${summary.stale ? 'text-red-700 dark:text-red-400' : ''}`}>{summary.lastGoodAt ? age(summary.lastGoodAt) : 'none yet'}</dd>
        </div>
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Retention</dt>
          <dd className="mt-1 text-sm font-medium">
            last {r.keepLast}
            {r.daily ? `, ${r.daily} daily` : ''}
            {r.weekly ? `, ${r.weekly} weekly` : ''}
            {r.monthly ? `, ${r.monthly} monthly` : ''}
            {r.yearly ? `, ${r.yearly} yearly` : ''}
          </dd>
        </div>
      </dl>

      <section aria-labelledby="history" className="mb-8">
        <h2 id="history" className="mb-3 text-lg font-medium">
          History
        </h2>
        <HistoryChart points={points} />
        {runs.length === 0 ? (
          <p className="mt-4 text-sm text-zinc-500">No runs yet.</p>
        ) : (
          <div className="mt-4 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Runs of this plan</caption>
              <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800">
                <tr>
                  <th className="py-2 pr-4 font-medium">Started</th>
                  <th className="py-2 pr-4 font-medium">Result</th>
                  <th className="py-2 pr-4 font-medium">Size</th>
                  <th className="py-2 pr-4 font-medium">Duration</th>
                  <th className="py-2 pr-4 font-medium">Backup</th>
                  <th className="py-2 pr-4 font-medium">Retention</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr key={run.id} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                    <td className="py-2 pr-4 whitespace-nowrap">
                      <Link href={`/runs/${run.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                        {formatTimestamp(run.startedAt)}
                      </Link>
                      <span className="block text-xs text-zinc-500">{run.scheduledFor ? 'scheduled' : 'run now'}</span>
                    </td>
                    <td className="py-2 pr-4">
                      <StatusBadge status={run.status} />
                      {run.errorCode ? <span className="block text-xs text-red-700 dark:text-red-400">{describeError(run.errorCode).title}</span> : null}
                    </td>
                    <td className="py-2 pr-4 tabular-nums">{formatBytes(run.bytes)}</td>
                    <td className="py-2 pr-4 tabular-nums">{run.durationMs === null ? '—' : formatDuration(run.durationMs)}</td>
                    <td className="py-2 pr-4">{run.deleteState === 'deleted' ? <span className="text-zinc-500">deleted by retention</span> : run.deleteState === 'deleting' ? <span className="text-amber-700">half-deleted (finished next pass)</span> : run.status === 'succeeded' ? 'kept' : '—'}</td>
                    <td className="py-2 pr-4 text-xs" data-testid="retention-outcome">
                      {run.retention.length ? run.retention.map((line, i) => <p key={i}>{line}</p>) : <span className="text-zinc-500">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <DrillSection planId={plan.id} />

      <section aria-labelledby="plan-log">
        <h2 id="plan-log" className="mb-3 text-lg font-medium">
          Plan log
        </h2>
        {log.length === 0 ? (
          <p className="text-sm text-zinc-500">Nothing yet.</p>
        ) : (
          <ol className="space-y-1 font-mono text-xs">
            {log.map((entry, i) => (
              <li key={i} className={LEVEL_STYLE[entry.level]}>
                {formatTimestamp(entry.at).replace(' UTC', '')} [{entry.kind}] {entry.code ? `${entry.code}: ` : ''}
                {entry.message}
              </li>
            ))}
          </ol>
        )}
      </section>
    </main>
  );
}

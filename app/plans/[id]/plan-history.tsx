import Link from 'next/link';
import { PartialBadge } from '../../_components/partial-badge.tsx';
import type { PlanRunRow } from '@/lib/plans/plan-summaries.ts';
import { describeError } from '@/lib/runs/errors.ts';
import { StatusBadge } from '../../_components/ui.tsx';
import { formatBytes, formatDuration, formatTimestamp } from '../../_lib/format.ts';
import { HistoryChart } from './history-chart.tsx';

/** The plan's runs: size and time of the last 30 good ones charted, then every run with what retention did to it. */
export function PlanHistory({ runs }: { runs: PlanRunRow[] }) {
  const points = runs
    .filter((r) => r.status === 'succeeded')
    .slice(0, 30)
    .reverse()
    .map((r) => ({ t: r.startedAt.getTime(), mib: Math.round((r.bytes / 1048576) * 100) / 100, seconds: r.durationMs === null ? null : Math.round(r.durationMs / 100) / 10 }));
  return (
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
                <PlanRun key={run.id} run={run} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PlanRun({ run }: { run: PlanRunRow }) {
  return (
    <tr className="border-b border-zinc-100 align-top dark:border-zinc-900">
      <td className="py-2 pr-4 whitespace-nowrap">
        <Link href={`/runs/${run.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
          {formatTimestamp(run.startedAt)}
        </Link>
        <span className="block text-xs text-zinc-500">{run.scheduledFor ? 'scheduled' : 'run now'}</span>
      </td>
      <td className="py-2 pr-4">
        <StatusBadge status={run.status} />
        {run.copyState === 'partial' ? <PartialBadge /> : null}
        {run.errorCode ? <span className="block text-xs text-red-700 dark:text-red-400">{describeError(run.errorCode).title}</span> : null}
      </td>
      <td className="py-2 pr-4 tabular-nums">{formatBytes(run.bytes)}</td>
      <td className="py-2 pr-4 tabular-nums">{run.durationMs === null ? '—' : formatDuration(run.durationMs)}</td>
      <td className="py-2 pr-4">{run.deleteState === 'deleted' ? <span className="text-zinc-500">deleted by retention</span> : run.deleteState === 'deleting' ? <span className="text-amber-700">half-deleted (finished next pass)</span> : run.status === 'succeeded' ? 'kept' : '—'}</td>
      <td className="py-2 pr-4 text-xs" data-testid="retention-outcome">
        {run.retention.length ? run.retention.map((line, i) => <p key={i}>{line}</p>) : <span className="text-zinc-500">—</span>}
      </td>
    </tr>
  );
}

import type { RunSummary } from '@/lib/store/list-recent-runs.ts';
import { formatBytes, formatCount, formatDuration, formatTimestamp } from '../_lib/format.ts';

const STATUS_STYLE: Record<RunSummary['status'], string> = {
  queued: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  succeeded: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  cancelled: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
};

const KIND_LABEL: Record<RunSummary['kind'], string> = {
  dump: 'Dump',
  restore: 'Restore',
  pitr: 'Point-in-time recovery',
};

export function RunsTable({ runs, caption }: { runs: RunSummary[]; caption: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Kind</th>
            <th scope="col" className="px-4 py-2 font-medium">Status</th>
            <th scope="col" className="px-4 py-2 font-medium">Started</th>
            <th scope="col" className="px-4 py-2 font-medium">Duration</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Rows</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Size</th>
            <th scope="col" className="px-4 py-2 font-medium">Output</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {runs.map((run) => (
            <tr key={run.id}>
              <td className="px-4 py-2">{KIND_LABEL[run.kind]}</td>
              <td className="px-4 py-2">
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[run.status]}`}>
                  {run.status}
                </span>
                {run.errorCode ? <span className="ml-2 font-mono text-xs text-red-700 dark:text-red-400">{run.errorCode}</span> : null}
              </td>
              <td className="whitespace-nowrap px-4 py-2">
                <time dateTime={run.startedAt.toISOString()}>{formatTimestamp(run.startedAt)}</time>
              </td>
              <td className="whitespace-nowrap px-4 py-2">
                {run.finishedAt ? formatDuration(run.finishedAt.getTime() - run.startedAt.getTime()) : '—'}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{formatCount(run.rows)}</td>
              <td className="whitespace-nowrap px-4 py-2 text-right tabular-nums">{formatBytes(run.bytes)}</td>
              <td className="max-w-xs truncate px-4 py-2 font-mono text-xs" title={run.outDir}>{run.outDir}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

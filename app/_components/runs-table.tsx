import Link from 'next/link';
import type { RunSummary } from '@/lib/store/list-recent-runs.ts';
import { PartialBadge } from './partial-badge.tsx';
import { formatBytes, formatCount, formatDuration, formatTimestamp } from '../_lib/format.ts';
import { StatusBadge } from './ui.tsx';

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
            <th scope="col" className="px-4 py-2 font-medium">Server</th>
            <th scope="col" className="px-4 py-2 font-medium">Databases</th>
            <th scope="col" className="px-4 py-2 font-medium">Started</th>
            <th scope="col" className="px-4 py-2 font-medium">Duration</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Rows</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Size</th>
            <th scope="col" className="px-4 py-2 font-medium">Output</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {runs.map((run) => (
            <tr key={run.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-900/50">
              <td className="px-4 py-2">
                <Link href={`/runs/${run.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                  {KIND_LABEL[run.kind]}
                </Link>
              </td>
              <td className="px-4 py-2">
                <StatusBadge status={run.status} />
                {run.errorCode && run.status !== 'cancelled' ? <span className="ml-2 font-mono text-xs text-red-700 dark:text-red-400">{run.errorCode}</span> : null}
                {run.copyState === 'partial' ? <PartialBadge /> : null}
              </td>
              <td className="px-4 py-2">{run.server?.name ?? '—'}</td>
              <td className="max-w-[12rem] truncate px-4 py-2" title={run.databases.join(', ')}>
                {run.databases.length ? run.databases.join(', ') : '—'}
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

import Link from 'next/link';
import type { RunTotals as Totals } from '@/lib/store/list-recent-runs.ts';
import { cardClass } from '../_components/ui.tsx';
import { formatBytes, formatTimestamp } from '../_lib/format.ts';

/** Success rate, data protected and each server's last good backup. */
export function RunTotals({ totals }: { totals: Totals }) {
  const rate = totals.finishedDumps ? Math.round((totals.succeededDumps / totals.finishedDumps) * 100) : null;
  return (
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
  );
}

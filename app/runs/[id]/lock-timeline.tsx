import type { LockView, SnapshotView } from '@/lib/runs/schemas.ts';
import { formatClock, formatMs } from '../../_lib/format.ts';

/**
 * Each lock as a bar on one time axis: waiting (requested → acquired) then held (acquired →
 * released), with the wait and hold in milliseconds. The table is the accessible form of the bars.
 */
export function LockTimeline({ locks, snapshots, now }: { locks: LockView[]; snapshots: SnapshotView[]; now: number }) {
  if (locks.length === 0) return <p className="text-sm text-zinc-500">No locks taken yet.</p>;
  const start = Math.min(...locks.map((l) => Date.parse(l.requestedAt)));
  const end = Math.max(start + 1, ...locks.map((l) => (l.releasedAt ? Date.parse(l.releasedAt) : now)));
  const span = end - start;
  const pct = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(0.4, ((b - a) / span) * 100).toFixed(3)}%`;

  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Locks taken by the run, with wait and hold times</caption>
        <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Lock</th>
            <th scope="col" className="px-3 py-2 font-medium">Requested</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Wait</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Hold</th>
            <th scope="col" className="w-1/3 px-3 py-2 font-medium">
              Timeline <span className="normal-case">({formatMs(span)})</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {locks.map((l) => {
            const requested = Date.parse(l.requestedAt);
            const acquired = l.acquiredAt ? Date.parse(l.acquiredAt) : null;
            const released = l.releasedAt ? Date.parse(l.releasedAt) : null;
            const waitEnd = acquired ?? released ?? now;
            const state = released ? (acquired ? 'released' : 'gave up') : acquired ? 'held' : 'waiting';
            return (
              <tr key={l.key}>
                <th scope="row" className="px-3 py-2 align-top font-normal">
                  <span className="font-medium">{l.scope}</span>
                  {l.target ? <span className="font-mono"> {l.target}</span> : null}
                  {l.attempt > 1 ? <span className="text-xs text-zinc-500"> (attempt {l.attempt})</span> : null}
                  <span className="block max-w-md truncate font-mono text-xs text-zinc-500" title={l.statement}>
                    {l.statement}
                  </span>
                  <span className="block text-xs text-zinc-500">
                    {state} · blocks {l.blocks}
                  </span>
                </th>
                <td className="whitespace-nowrap px-3 py-2 align-top font-mono text-xs">{formatClock(l.requestedAt)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right align-top tabular-nums">{l.waitMs === null ? '—' : `wait ${formatMs(l.waitMs)}`}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right align-top tabular-nums">{l.holdMs === null ? (acquired && !released ? 'held…' : '—') : `hold ${formatMs(l.holdMs)}`}</td>
                <td className="px-3 py-2 align-middle">
                  <div className="relative h-3 rounded bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
                    <div className="absolute top-0 h-3 rounded-l bg-amber-400" style={{ left: pct(requested), width: width(requested, waitEnd) }} />
                    {acquired ? <div className="absolute top-0 h-3 rounded-r bg-sky-500" style={{ left: pct(acquired), width: width(acquired, released ?? now) }} /> : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="flex flex-wrap gap-4 border-t border-zinc-200 px-3 py-2 text-xs text-zinc-500 dark:border-zinc-800">
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-3 w-3 rounded-sm bg-amber-400" /> waiting
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-3 w-3 rounded-sm bg-sky-500" /> held
        </span>
        {snapshots.map((s) => (
          <span key={`${s.attempt}-${s.snapshotId}`}>
            Snapshot {s.snapshotId} ({s.scope}
            {s.target ? ` ${s.target}` : ''}) at {formatClock(s.openedAt)}
            {s.binlog ? ` · binlog ${s.binlog.file}:${s.binlog.position}` : ''}
            {s.gtid ? ` · GTID ${s.gtid}` : ''}
          </span>
        ))}
      </p>
    </div>
  );
}

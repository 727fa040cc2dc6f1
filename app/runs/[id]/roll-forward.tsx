import { describeError } from '@/lib/runs/error-words.ts';
import { describePitrTarget } from '@/lib/runs/pitr-target.ts';
import type { PitrView, RunView } from '@/lib/runs/schemas.ts';
import { formatBytes, formatCount, formatDuration } from '../../_lib/format.ts';

const STATUS_WORDS: Record<PitrView['status'], string> = {
  waiting: 'Waiting: runs once the load (and the verification) is done.',
  running: 'Rolling forward…',
  succeeded: 'Rolled forward',
  failed: 'The roll forward failed',
  cancelled: 'The roll forward was cancelled',
  interrupted: 'The roll forward was interrupted',
  skipped: 'Not rolled forward',
};

const utc = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/** The restore's point-in-time step: where it stops, how far each replay got, and how it ended. */
export function RollForward({ state }: { state: RunView }) {
  const asked = state.restoreOptions?.pitr ?? null;
  const view = state.pitr;
  if (!asked || !view) return <p className="text-sm text-zinc-500">Not asked for: this restore does not roll forward.</p>;
  const words = view.error ? describeError(view.error.code) : null;
  const tone =
    view.status === 'succeeded'
      ? 'text-emerald-700 dark:text-emerald-400'
      : view.status === 'failed'
        ? 'text-red-700 dark:text-red-400'
        : view.status === 'running' || view.status === 'waiting'
          ? 'text-zinc-700 dark:text-zinc-300'
          : 'text-amber-700 dark:text-amber-400';
  const elapsed = view.startedAt && view.finishedAt ? Date.parse(view.finishedAt) - Date.parse(view.startedAt) : null;
  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Until {describePitrTarget(asked)}
        {view.stop ? ` (${view.stop})` : ''}, with the binary log of the server the backup was taken from
        {asked.noBinlog ? '; replayed events are not written to the target’s binary log again' : ''}.
      </p>
      <div role="status" aria-label="Roll forward outcome" className={`text-sm font-medium ${tone}`}>
        {STATUS_WORDS[view.status]}
        {view.status === 'succeeded' ? `: ${formatCount(view.transactions)} transactions read from the binary log${elapsed !== null ? ` in ${formatDuration(elapsed)}` : ''}` : ''}
        {view.status === 'skipped' && view.reason ? `: ${view.reason}` : ''}
        {words ? (
          <span className="mt-1 block font-normal">
            {words.title}. {words.hint}
          </span>
        ) : null}
        {view.error ? <span className="mt-1 block font-mono text-xs font-normal opacity-80">{view.error.code}: {view.error.message}</span> : null}
      </div>
      {view.replays.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Roll forward per database</caption>
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Database</th>
                <th scope="col" className="px-3 py-2 font-medium">Into</th>
                <th scope="col" className="px-3 py-2 font-medium">State</th>
                <th scope="col" className="px-3 py-2 font-medium">Applied up to</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Transactions read</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Binlog text</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {view.replays.map((r, i) => (
                <tr key={`${r.database}-${i}`}>
                  <th scope="row" className="px-3 py-2 font-mono font-normal">
                    {r.database}
                  </th>
                  <td className="px-3 py-2 font-mono">{r.targetDatabase}</td>
                  <td className="px-3 py-2">{r.status === 'done' ? 'done' : r.status === 'running' ? (view.status === 'running' ? 'replaying' : 'stopped') : 'pending'}</td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {r.file && r.position !== null ? `${r.file}:${r.position}` : '—'}
                    {r.lastEventAt ? <span className="block text-zinc-500">event of {utc(r.lastEventAt)}</span> : null}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCount(r.transactions)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatBytes(r.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

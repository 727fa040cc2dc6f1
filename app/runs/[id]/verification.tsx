import type { RunView } from '@/lib/runs/schemas.ts';

/** Per table: the target's rows against the dump's per-chunk content hashes, and the ranges that differ. */
export function Verification({ state }: { state: RunView }) {
  if (state.restoreOptions && !state.restoreOptions.verify) return <p className="text-sm text-zinc-500">Not asked for: this restore was started without verification.</p>;
  if (state.verification.length === 0) {
    return <p className="text-sm text-zinc-500">{state.status === 'running' ? 'Runs once every chunk is loaded.' : 'No table was verified.'}</p>;
  }
  const failed = state.verification.filter((v) => v.mismatched.length > 0).length;
  return (
    <div>
      <p role="status" className={`mb-2 text-sm font-medium ${failed ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}>
        {failed ? `Verification failed for ${failed} of ${state.verification.length} tables` : `Verification passed for all ${state.verification.length} tables`}
      </p>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Verification per table</caption>
          <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Table</th>
              <th scope="col" className="px-3 py-2 font-medium">Restored as</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Chunks equal</th>
              <th scope="col" className="px-3 py-2 font-medium">Result</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {state.verification.map((v) => (
              <tr key={`${v.database}.${v.table}`}>
                <th scope="row" className="px-3 py-2 font-mono font-normal">
                  {v.database}.{v.table}
                </th>
                <td className="px-3 py-2 font-mono">
                  {v.targetDatabase}.{v.table}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">
                  {v.ok} of {v.chunks}
                </td>
                <td className="px-3 py-2">
                  {v.mismatched.length === 0 ? (
                    <span className="text-emerald-700 dark:text-emerald-400">passed</span>
                  ) : (
                    <span className="text-red-700 dark:text-red-400">
                      {v.mismatched.length} range(s) differ:{' '}
                      {v.mismatched
                        .slice(0, 5)
                        .map((m) => `#${m.index} ${m.range} (${m.reason}, ${m.expectedRows} expected, ${m.actualRows ?? '?'} found)`)
                        .join('; ')}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

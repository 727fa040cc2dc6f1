import { runCopiesOf } from '@/lib/targets/target-store.ts';
import { formatBytes, formatTimestamp } from '../../_lib/format.ts';
import { PartialBadge } from '../../_components/partial-badge.tsx';

const COPY_STYLE: Record<string, string> = {
  queued: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  copying: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  verified: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
};

/** The backup's copies to storage targets and how each went (shown once there are any). */
export async function RunCopies({ runId }: { runId: string }) {
  const { copyState, copies } = await runCopiesOf({ runId });
  if (copies.length === 0) return null;
  return (
    <section aria-labelledby="run-copies" className="mt-10">
      <h2 id="run-copies" className="mb-3 text-lg font-medium">
        Copies {copyState === 'partial' ? <PartialBadge /> : null}
      </h2>
      <table className="w-full text-left text-sm">
        <thead className="text-zinc-500">
          <tr>
            <th scope="col" className="py-1 pr-4 font-medium">Target</th>
            <th scope="col" className="py-1 pr-4 font-medium">Status</th>
            <th scope="col" className="py-1 pr-4 font-medium">Where</th>
            <th scope="col" className="py-1 pr-4 text-right font-medium">Size</th>
            <th scope="col" className="py-1 font-medium">Verified</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {copies.map((c) => (
            <tr key={c.id}>
              <td className="py-1.5 pr-4 font-medium">{c.targetName}</td>
              <td className="py-1.5 pr-4">
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${COPY_STYLE[c.status] ?? COPY_STYLE.queued}`}>{c.status}</span>
                {c.errorCode ? (
                  <span className="ml-2 font-mono text-xs text-red-700 dark:text-red-400" title={c.errorMessage ?? ''}>
                    {c.errorCode}
                  </span>
                ) : null}
                {c.deletedAt ? <span className="ml-2 text-xs text-zinc-500">deleted by retention</span> : null}
              </td>
              <td className="max-w-[20rem] py-1.5 pr-4 font-mono text-xs break-all">{c.location}</td>
              <td className="py-1.5 pr-4 text-right">{c.bytes ? formatBytes(c.bytes) : '—'}</td>
              <td className="py-1.5">{c.verifiedAt ? <time dateTime={c.verifiedAt.toISOString()}>{formatTimestamp(c.verifiedAt)}</time> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

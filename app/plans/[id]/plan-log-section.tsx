import type { PlanLogEntry } from '@/lib/plans/plan-log.ts';
import { formatTimestamp } from '../../_lib/format.ts';

const LEVEL_STYLE = { info: 'text-zinc-600 dark:text-zinc-400', warning: 'text-amber-700 dark:text-amber-400', error: 'text-red-700 dark:text-red-400' } as const;

/** What the scheduler, retention and alerts recorded for this plan, newest first. */
export function PlanLogSection({ log }: { log: PlanLogEntry[] }) {
  return (
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
  );
}

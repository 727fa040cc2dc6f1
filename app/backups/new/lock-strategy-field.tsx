import type { SentBack } from '../../_components/sent-back.ts';
import { cardClass } from '../../_components/ui.tsx';

const LOCKS = [
  { value: 'snapshot', label: 'One snapshot', help: 'Blocks commits for a moment while every worker opens its snapshot; all tables from one point in time, with binlog coordinates.' },
  { value: 'per-db', label: 'Per database', help: 'Read-locks one database’s tables while its snapshot opens; consistent within each database, not across them.' },
  { value: 'per-table', label: 'Per table', help: 'Write-locks each table while it is read; consistent within each table only.' },
  { value: 'none', label: 'No locks', help: 'Takes no lock at all; consistent only if nothing writes (a stopped replica).' },
] as const;

/** The lock strategy, each with what it blocks and what consistency it buys. */
export function LockStrategyField({ sent }: { sent: SentBack }) {
  const lock = sent.text('lock', 'snapshot');
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Lock strategy</legend>
      <div className="space-y-2">
        {LOCKS.map((l) => (
          <label key={l.value} className="flex items-start gap-2 text-sm">
            <input type="radio" name="lock" value={l.value} defaultChecked={lock === l.value} className="mt-1" aria-describedby={`lock-${l.value}-help`} />
            <span>
              <span className="font-medium">{l.label}</span>
              <span id={`lock-${l.value}-help`} className="block text-zinc-500 dark:text-zinc-400">
                {l.help}
              </span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

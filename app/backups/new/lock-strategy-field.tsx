import type { FormValues } from '../../_components/sent-back.ts';
import { cardClass } from '../../_components/ui.tsx';
import { LOCKS } from '../../_components/dump-shape-fields.tsx';

/** The lock strategy, each with what it blocks and what consistency it buys. */
export function LockStrategyField({ sent }: { sent: FormValues }) {
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

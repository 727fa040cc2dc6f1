import Link from 'next/link';
import type { FormValues } from '../_components/sent-back.ts';
import { cardClass, FieldError } from '../_components/ui.tsx';

export interface TargetChoice {
  id: string;
  name: string;
  location: string;
}

/** The saved storage targets each good backup of the plan is copied to, after the dump. */
export function PlanCopyFields({ values, targets }: { values: FormValues; targets: TargetChoice[] }) {
  const { errors, list, text } = values;
  const picked = new Set((list('copyTargetIds') ?? [text('copyTargetIds')]).filter(Boolean));
  return (
    <fieldset className={cardClass} aria-describedby="plan-copies-hint plan-copies-error">
      <legend className="px-1 text-sm font-medium">Copies</legend>
      <p id="plan-copies-hint" className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        After each good backup, a verified copy goes to every target ticked here. A copy that fails marks the run partially failed and alerts.
      </p>
      {/* Always sent, so unticking every target is seen as such. */}
      <input type="hidden" name="copyTargetIds" value="" />
      {targets.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No storage targets saved. <Link href="/targets" className="text-sky-700 hover:underline dark:text-sky-400">Add one</Link> to copy backups to another disk or a bucket.
        </p>
      ) : (
        <ul className="space-y-1">
          {targets.map((t) => (
            <li key={t.id}>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="copyTargetIds" value={t.id} defaultChecked={picked.has(t.id)} />
                <span className="font-medium">{t.name}</span>
                <span className="font-mono text-xs text-zinc-500">{t.location}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <FieldError id="plan-copies-error" errors={errors.copyTargetIds} />
    </fieldset>
  );
}

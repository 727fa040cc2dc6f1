import type { PreviewReply } from '@/lib/plans/preview-plan.ts';
import { cardClass, Field } from '../_components/ui.tsx';
import type { FormValues } from '../_components/sent-back.ts';

export const RETENTION = [
  { name: 'keepLast', label: 'Keep last', help: 'newest backups' },
  { name: 'daily', label: 'Daily', help: 'days, newest of each' },
  { name: 'weekly', label: 'Weekly', help: 'weeks' },
  { name: 'monthly', label: 'Monthly', help: 'months' },
  { name: 'yearly', label: 'Yearly', help: 'years' },
] as const;

/** The retention policy (controlled, for the live preview of what it would keep and delete). */
export function PlanRetentionFields({ values, retention, onRetention, preview }: { values: FormValues; retention: Record<string, string>; onRetention: (name: string, value: string) => void; preview: PreviewReply | null }) {
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Retention</legend>
      <div className="grid gap-4 sm:grid-cols-5">
        {RETENTION.map((r) => (
          <Field key={r.name} id={`plan-${r.name}`} name={r.name} label={r.label} type="number" min={0} errors={values.errors} hint={r.help} value={retention[r.name] ?? ''} onChange={(e) => onRetention(r.name, e.target.value)} />
        ))}
      </div>
      <p className="mt-2 text-xs text-zinc-500">Applied after each successful backup only. The newest good backup and any backup a restore is reading are always kept.</p>
      <div aria-live="polite" className="mt-3 text-sm" data-testid="retention-preview">
        <RetentionPreview preview={preview} />
      </div>
    </fieldset>
  );
}

/** Which of the plan's backups the policy would keep (and why) and which it would delete. */
function RetentionPreview({ preview }: { preview: PreviewReply | null }) {
  if (!preview) return null;
  const { retention } = preview;
  if (!retention.ok) {
    return (
      <p role="alert" className="text-red-700 dark:text-red-400">
        {retention.message} ({retention.code})
      </p>
    );
  }
  if (retention.backups.length === 0) return <p className="text-xs text-zinc-500">No backups of this plan yet: nothing to keep or delete.</p>;
  return (
    <>
      <p className="text-xs">
        Of {retention.backups.length} backups: keeps {retention.backups.filter((b) => b.keep).length}, deletes {retention.backups.filter((b) => !b.keep).length}.
      </p>
      <ul className="mt-1 max-h-40 overflow-auto font-mono text-xs">
        {retention.backups.map((b) => (
          <li key={b.id} className={b.keep ? '' : 'text-red-700 line-through dark:text-red-400'}>
            {b.at.slice(0, 16).replace('T', ' ')} {b.keep ? `keep (${b.reasons.join(', ')})` : 'delete'}
          </li>
        ))}
      </ul>
    </>
  );
}

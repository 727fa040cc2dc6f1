import type { PreviewReply } from '@/lib/plans/preview-plan.ts';
import { cardClass, Field, inputClass } from '../_components/ui.tsx';
import type { FormValues } from '../_components/sent-back.ts';

/** When the plan runs: the cron schedule and time zone (controlled, for the live preview), and pausing. */
export function PlanScheduleFields({ values, cron, onCron, timeZone, onTimeZone, preview }: { values: FormValues; cron: string; onCron: (cron: string) => void; timeZone: string; onTimeZone: (timeZone: string) => void; preview: PreviewReply | null }) {
  const { errors, checked } = values;
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">When</legend>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="plan-cron" name="cron" label="Schedule (cron)" errors={errors} value={cron} onChange={(e) => onCron(e.target.value)} hint="minute hour day month weekday, e.g. 0 2 * * * (a sixth leading field gives seconds)" className={`${inputClass} font-mono`} />
        <Field id="plan-time-zone" name="timeZone" label="Time zone" errors={errors} value={timeZone} onChange={(e) => onTimeZone(e.target.value)} hint="IANA name: Europe/Paris, America/New_York, UTC" />
      </div>
      <div aria-live="polite" className="mt-3 text-sm" data-testid="schedule-preview">
        <SchedulePreview preview={preview} />
        <p className="mt-2 text-xs text-zinc-500">If paradump is not running when a run is due, it starts that run once when it comes back (one catch-up run, not one per missed slot). A run still going when the next is due makes that next one skip.</p>
      </div>
      <label className="mt-3 flex items-center gap-2 text-sm">
        <input type="checkbox" name="paused" defaultChecked={checked('paused')} /> Paused (no scheduled runs)
      </label>
    </fieldset>
  );
}

/** The schedule in words and its next five runs, or why the server refused it. */
function SchedulePreview({ preview }: { preview: PreviewReply | null }) {
  if (!preview) return null;
  const { schedule } = preview;
  if (!schedule.ok) {
    return (
      <p role="alert" className="text-red-700 dark:text-red-400">
        {schedule.message} ({schedule.code})
      </p>
    );
  }
  return (
    <>
      <p className="font-medium">Runs {schedule.description}</p>
      <p className="mt-1 text-xs text-zinc-500">Next five runs:</p>
      <ol className="mt-1 list-inside list-decimal font-mono text-xs" aria-label="Next run times">
        {schedule.next.map((n) => (
          <li key={n.at}>{n.local}</li>
        ))}
      </ol>
    </>
  );
}

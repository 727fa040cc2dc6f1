'use client';

import { useActionState } from 'react';
import { saveDrillPolicyAction } from '../../_actions/drills.ts';
import type { FormState } from '../../_actions/state.ts';
import { formValues } from '../../_components/sent-back.ts';
import { buttonClass, cardClass, ChoiceSelect, Field, FieldError, FormAlert, inputClass } from '../../_components/ui.tsx';

type Values = Record<string, string | string[]>;

/** The plan's restore drill policy: when, where, the name prefix and up to `checkRows` checks. */
export function DrillPolicyForm({ planId, servers, initial, checkRows }: { planId: string; servers: { id: string; name: string }[]; initial: Values; checkRows: number }) {
  const [state, action, pending] = useActionState<FormState, FormData>(saveDrillPolicyAction, {});
  const { text, checked, errors } = formValues({ ...initial, ...(state.values ?? {}) }, state.fieldErrors ?? {});
  return (
    <form action={action} className={`${cardClass} space-y-4`} noValidate aria-label="Restore drill policy">
      <input type="hidden" name="planId" value={planId} />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={checked('enabled')} /> Drills on (scheduled drills run; Run drill now always works)
      </label>
      <div className="grid gap-4 sm:grid-cols-4">
        <div>
          <label htmlFor="drill-trigger" className="mb-1 block text-sm font-medium">
            When
          </label>
          <ChoiceSelect id="drill-trigger" name="trigger" defaultValue={text('trigger', 'backups')} className={inputClass}>
            <option value="backups">After every Nth backup</option>
            <option value="schedule">On its own schedule</option>
          </ChoiceSelect>
        </div>
        <Field id="drill-every" name="every" label="Every N backups" type="number" min={1} errors={errors} defaultValue={text('every', '1')} />
        <Field id="drill-cron" name="drillCron" label="Drill schedule (cron)" errors={errors} defaultValue={text('drillCron', '0 4 * * *')} className={`${inputClass} font-mono`} />
        <Field id="drill-time-zone" name="drillTimeZone" label="Time zone" errors={errors} defaultValue={text('drillTimeZone', 'UTC')} />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <div>
          <label htmlFor="drill-target" className="mb-1 block text-sm font-medium">
            Restore into
          </label>
          <ChoiceSelect id="drill-target" name="target" defaultValue={text('target', 'throwaway')} className={inputClass} aria-describedby="drill-target-error">
            <option value="throwaway">A throwaway MariaDB started for the drill</option>
            {servers.map((s) => (
              <option key={s.id} value={s.id}>
                Scratch server: {s.name}
              </option>
            ))}
          </ChoiceSelect>
          <FieldError id="drill-target-error" errors={errors.target} />
        </div>
        <Field id="drill-prefix" name="prefix" label="Database name prefix" errors={errors} defaultValue={text('prefix', 'drill_')} hint="shop is restored as drill_shop; a target that has that name is refused." />
        <Field id="drill-threads" name="drillThreads" label="Threads" type="number" min={1} max={64} errors={errors} defaultValue={text('drillThreads', '4')} />
      </div>
      <div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="rollForward" defaultChecked={checked('rollForward')} aria-describedby="drill-roll-forward-error" /> Roll forward from the binary log to the drill’s start (proves the recovery point too; the checks then run on the rolled-forward copy)
        </label>
        <FieldError id="drill-roll-forward-error" errors={errors.rollForward} />
      </div>
      <fieldset>
        <legend className="text-sm font-medium">Checks (optional)</legend>
        <p className="mb-2 text-xs text-zinc-500">One SELECT each, run read-only in the drill’s copy of the database (unqualified table names); the first column of the first row is compared.</p>
        {Array.from({ length: checkRows }, (_, i) => (
          <div key={i} className="mb-2 grid gap-2 sm:grid-cols-[1fr_8rem_3fr_5rem_8rem]">
            <Field id={`check-name-${i}`} name={`checkName${i}`} label="Name" errors={errors} defaultValue={text(`checkName${i}`)} />
            <Field id={`check-database-${i}`} name={`checkDatabase${i}`} label="Database" errors={errors} defaultValue={text(`checkDatabase${i}`)} placeholder="first" />
            <Field id={`check-sql-${i}`} name={`checkSql${i}`} label="Query" errors={errors} defaultValue={text(`checkSql${i}`)} className={`${inputClass} font-mono`} placeholder="SELECT COUNT(*) FROM orders" />
            <div>
              <label htmlFor={`check-compare-${i}`} className="mb-1 block text-sm font-medium">
                Is
              </label>
              <ChoiceSelect id={`check-compare-${i}`} name={`checkCompare${i}`} defaultValue={text(`checkCompare${i}`, '=')} className={inputClass}>
                {['=', '!=', '>', '>=', '<', '<='].map((op) => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </ChoiceSelect>
            </div>
            <Field id={`check-expected-${i}`} name={`checkExpected${i}`} label="Expected" errors={errors} defaultValue={text(`checkExpected${i}`)} />
          </div>
        ))}
      </fieldset>
      <div className="flex items-center gap-3">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? 'Saving…' : 'Save drill policy'}
        </button>
        {state.ok ? (
          <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            Saved
          </span>
        ) : null}
      </div>
      <FormAlert state={state} />
    </form>
  );
}

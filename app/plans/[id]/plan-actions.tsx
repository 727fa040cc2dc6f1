'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { deletePlanAction, pausePlanAction, runPlanNowAction, testAlertAction } from '../../_actions/plans.ts';
import type { FormState } from '../../_actions/state.ts';
import { buttonClass, FormAlert, secondaryButtonClass } from '../../_components/ui.tsx';

function ActionButton({ planId, action, label, pendingLabel, primary, extra, confirm }: { planId: string; action: (s: FormState, f: FormData) => Promise<FormState>; label: string; pendingLabel: string; primary?: boolean; extra?: Record<string, string>; confirm?: string }) {
  const [state, run, pending] = useActionState<FormState, FormData>(action, {});
  return (
    <form
      action={run}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
    >
      <input type="hidden" name="planId" value={planId} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={primary ? buttonClass : secondaryButtonClass} disabled={pending}>
        {pending ? pendingLabel : label}
      </button>
      {state.ok ? (
        <span role="status" className="ml-2 text-xs text-emerald-700 dark:text-emerald-400">
          Done
        </span>
      ) : null}
      <div className="mt-2 max-w-md">
        <FormAlert state={state} />
      </div>
    </form>
  );
}

/** Run now, pause/resume, edit, send a test alert, delete. */
export function PlanActions({ planId, paused, hasChannel }: { planId: string; paused: boolean; hasChannel: boolean }) {
  return (
    <div className="flex flex-wrap items-start gap-3">
      <ActionButton planId={planId} action={runPlanNowAction} label="Run now" pendingLabel="Starting…" primary />
      <ActionButton planId={planId} action={pausePlanAction} label={paused ? 'Resume schedule' : 'Pause'} pendingLabel="Saving…" extra={{ paused: String(!paused) }} />
      <Link href={`/plans/${planId}/edit`} className={secondaryButtonClass}>
        Edit
      </Link>
      {hasChannel ? <ActionButton planId={planId} action={testAlertAction} label="Send a test alert" pendingLabel="Sending…" /> : null}
      <ActionButton planId={planId} action={deletePlanAction} label="Delete plan" pendingLabel="Deleting…" confirm="Delete this plan? Its backups are kept." />
    </div>
  );
}

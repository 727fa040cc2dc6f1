'use client';

import { useActionState } from 'react';
import { cancelDrillAction, runDrillNowAction } from '../../_actions/drills.ts';
import type { FormState } from '../../_actions/state.ts';
import { buttonClass, FormAlert, secondaryButtonClass } from '../../_components/ui.tsx';

/** Run drill now, or cancel the running one. */
export function DrillActions({ planId, runningDrillId }: { planId: string; runningDrillId: string | null }) {
  const [runState, run, running] = useActionState<FormState, FormData>(runDrillNowAction, {});
  const [cancelState, cancel, cancelling] = useActionState<FormState, FormData>(cancelDrillAction, {});
  return (
    <div className="flex flex-wrap items-start gap-3">
      <form action={run}>
        <input type="hidden" name="planId" value={planId} />
        <button type="submit" className={buttonClass} disabled={running || runningDrillId !== null}>
          {running ? 'Starting…' : 'Run drill now'}
        </button>
        {runState.ok ? (
          <span role="status" className="ml-2 text-xs text-emerald-700 dark:text-emerald-400">
            Drill started
          </span>
        ) : null}
        <div className="mt-2 max-w-md">
          <FormAlert state={runState} />
        </div>
      </form>
      {runningDrillId ? (
        <form action={cancel}>
          <input type="hidden" name="planId" value={planId} />
          <input type="hidden" name="drillId" value={runningDrillId} />
          <button type="submit" className={secondaryButtonClass} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel drill'}
          </button>
          <div className="mt-2 max-w-md">
            <FormAlert state={cancelState} />
          </div>
        </form>
      ) : null}
    </div>
  );
}

'use client';

import { useActionState, useEffect, useState } from 'react';
import { computeProgress } from '@/lib/runs/progress.ts';
import type { RunView } from '@/lib/runs/schemas.ts';
import { cancelRunAction, resumeRunAction } from '../../_actions/runs.ts';
import type { FormState } from '../../_actions/state.ts';
import { FormAlert } from '../../_components/ui.tsx';
import { ProgressPanel } from './progress-panel.tsx';
import { RunActions } from './run-actions.tsx';
import { RunDetails } from './run-details.tsx';
import { RunFailure } from './run-failure.tsx';
import { RunHeading } from './run-heading.tsx';
import { useRunStream } from './use-run-stream.ts';

/** A run's page, kept live over SSE while it runs (and again after a resume). */
export function RunLive({ initialState, initialEventId }: { initialState: RunView; initialEventId: string | null }) {
  const [generation, setGeneration] = useState(0);
  const { state, connection } = useRunStream({ initialState, initialEventId, generation });
  const [cancelState, cancelAction, cancelling] = useActionState<FormState, FormData>(cancelRunAction, {});
  const [resumeState, resumeAction, resuming] = useActionState<FormState, FormData>(resumeRunAction, {});
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (resumeState.ok) setGeneration((g) => g + 1);
  }, [resumeState.ok]);
  useEffect(() => {
    if (state.status !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state.status]);

  const cancelRequested = state.status === 'running' && Boolean(cancelState.ok);
  const title = state.kind === 'dump' ? 'Backup' : state.kind === 'restore' ? 'Restore' : 'Point-in-time recovery';
  const elapsed = (state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(state.startedAt);

  return (
    <div className="space-y-8">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <RunHeading state={state} title={title} elapsed={elapsed} connection={connection} cancelRequested={cancelRequested} />
        <RunActions state={state} cancel={{ action: cancelAction, pending: cancelling, requested: cancelRequested }} resume={{ action: resumeAction, pending: resuming }} />
      </header>
      <FormAlert state={cancelState.error ? cancelState : resumeState} />
      <RunFailure state={state} />
      <ProgressPanel state={state} progress={computeProgress(state, now)} title={title} />
      <RunDetails state={state} now={now} />
    </div>
  );
}

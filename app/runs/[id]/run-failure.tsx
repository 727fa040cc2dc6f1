import { whyNotResumable } from '@/lib/runs/can-resume.ts';
import { describeError } from '@/lib/runs/error-words.ts';
import type { RunView } from '@/lib/runs/schemas.ts';

/** Why a run that is no longer running stopped, in the dashboard's words, and whether it can resume. */
export function RunFailure({ state }: { state: RunView }) {
  if (!state.error || state.status === 'running') return null;
  const words = describeError(state.error.code);
  const whyNot = whyNotResumable(state);
  return (
    <div role="alert" className={`rounded-lg border px-4 py-3 text-sm ${state.status === 'failed' ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200' : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200'}`}>
      <p className="font-medium">{words.title}</p>
      <p>{words.hint}</p>
      <p className="mt-1 font-mono text-xs opacity-80">
        {state.error.code}: {state.error.message}
      </p>
      {whyNot ? <p className="mt-1">{whyNot}</p> : null}
    </div>
  );
}

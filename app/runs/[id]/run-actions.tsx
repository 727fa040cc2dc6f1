import Link from 'next/link';
import { canResume } from '@/lib/runs/can-resume.ts';
import type { RunView } from '@/lib/runs/schemas.ts';
import { buttonClass, secondaryButtonClass } from '../../_components/ui.tsx';

type FormAction = (form: FormData) => void;

/** What can be done with the run now: cancel it, resume it, and once it has a manifest browse, download or restore it. */
export function RunActions({ state, cancel, resume }: { state: RunView; cancel: { action: FormAction; pending: boolean; requested: boolean }; resume: { action: FormAction; pending: boolean } }) {
  return (
    <div className="flex flex-wrap gap-2">
      {state.status === 'running' ? (
        <form action={cancel.action}>
          <input type="hidden" name="runId" value={state.id} />
          <button type="submit" className={secondaryButtonClass} disabled={cancel.pending || cancel.requested}>
            {cancel.requested ? 'Cancelling…' : 'Cancel'}
          </button>
        </form>
      ) : null}
      {canResume(state) ? (
        <form action={resume.action}>
          <input type="hidden" name="runId" value={state.id} />
          <button type="submit" className={buttonClass} disabled={resume.pending}>
            {resume.pending ? 'Resuming…' : 'Resume'}
          </button>
        </form>
      ) : null}
      {state.hasManifest ? (
        <>
          <Link href={`/runs/${state.id}/manifest`} className={secondaryButtonClass}>
            Browse manifest
          </Link>
          <a href={`/api/runs/${state.id}/manifest`} download className={secondaryButtonClass}>
            Download manifest.json
          </a>
          <a href={`/api/runs/${state.id}/restore-kit`} download className={secondaryButtonClass}>
            Download restore kit
          </a>
          <Link href={`/runs/${state.id}/restore`} className={buttonClass}>
            Restore…
          </Link>
        </>
      ) : null}
    </div>
  );
}

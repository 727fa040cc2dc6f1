'use client';

import { useActionState } from 'react';
import { deleteTargetAction } from '../_actions/targets.ts';
import type { FormState } from '../_actions/state.ts';
import { FormAlert, secondaryButtonClass } from '../_components/ui.tsx';

export function DeleteTargetButton({ targetId, name }: { targetId: string; name: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(deleteTargetAction, {});
  return (
    <form
      action={action}
      className="max-w-xs shrink-0"
      onSubmit={(e) => {
        if (!window.confirm(`Delete storage target “${name}”? The copies already there are kept.`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="targetId" value={targetId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`Delete ${name}`}>
        {pending ? 'Deleting…' : 'Delete'}
      </button>
      <div className="mt-2">
        <FormAlert state={state} />
      </div>
    </form>
  );
}

'use client';

import { useState, type FormEvent } from 'react';
import type { FormState } from '../_actions/state.ts';

const NONE: ReadonlySet<string> = new Set();

/**
 * A form's field errors as the user sees them: an error goes away as soon as its field is changed
 * (it answered the previous submit, not what the field holds now) and comes back only if the next
 * submit is refused again. `answers` are the action states the errors come from: a new answer
 * starts afresh. Put `onChange` on the <form>: change events bubble from every input.
 */
export function useEditedFields(state: FormState, ...answers: unknown[]): { shown: FormState; onChange: (event: FormEvent<HTMLFormElement>) => void } {
  const [edited, setEdited] = useState<{ answers: unknown[]; names: ReadonlySet<string> }>({ answers, names: NONE });
  const current = edited.answers.length === answers.length && edited.answers.every((a, i) => a === answers[i]);
  const names = current ? edited.names : NONE;
  const fieldErrors = state.fieldErrors ? Object.fromEntries(Object.entries(state.fieldErrors).filter(([name]) => !names.has(name))) : undefined;
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const target = event.target;
    const name = target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement ? target.name : '';
    if (!name || !state.fieldErrors?.[name] || names.has(name)) return;
    setEdited({ answers, names: new Set([...names, name]) });
  };
  return { shown: { ...state, fieldErrors }, onChange };
}

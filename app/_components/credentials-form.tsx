'use client';

import { useActionState } from 'react';
import type { FormState } from '../_actions/state.ts';
import { buttonClass, FieldError, FormAlert, inputClass } from './ui.tsx';

type Action = (state: FormState, form: FormData) => Promise<FormState>;

function Field({ name, label, type, state, autoComplete }: { name: string; label: string; type: string; state: FormState; autoComplete: string }) {
  const errors = state.fieldErrors?.[name];
  const value = name === 'username' ? state.values?.['username'] : undefined;
  return (
    <div>
      <label htmlFor={`auth-${name}`} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input
        id={`auth-${name}`}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={typeof value === 'string' ? value : undefined}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? `auth-${name}-error` : undefined}
        className={inputClass}
      />
      <FieldError id={`auth-${name}-error`} errors={errors} />
    </div>
  );
}

/** The sign-in form, or (with `confirm`) the first-start form that creates the admin. */
export function CredentialsForm({ action, submit, confirm = false }: { action: Action; submit: string; confirm?: boolean }) {
  const [state, formAction, pending] = useActionState<FormState, FormData>(action, {});
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <Field name="username" label="User name" type="text" state={state} autoComplete="username" />
      <Field name="password" label="Password" type="password" state={state} autoComplete={confirm ? 'new-password' : 'current-password'} />
      {confirm ? <Field name="confirm" label="Repeat the password" type="password" state={state} autoComplete="new-password" /> : null}
      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {submit}
      </button>
    </form>
  );
}

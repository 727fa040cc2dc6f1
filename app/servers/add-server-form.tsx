'use client';

import { useActionState } from 'react';
import { addServerAction } from '../_actions/servers.ts';
import type { FormState } from '../_actions/state.ts';
import { buttonClass, FieldError, FormAlert, inputClass } from '../_components/ui.tsx';

function Field({ name, label, state, type = 'text', defaultValue, autoComplete, hint }: { name: string; label: string; state: FormState; type?: string; defaultValue?: string; autoComplete?: string; hint?: string }) {
  const errors = state.fieldErrors?.[name];
  const value = state.values?.[name];
  return (
    <div>
      <label htmlFor={`server-${name}`} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input
        id={`server-${name}`}
        name={name}
        type={type}
        defaultValue={typeof value === 'string' ? value : defaultValue}
        autoComplete={autoComplete}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? `server-${name}-error` : hint ? `server-${name}-hint` : undefined}
        className={inputClass}
      />
      {hint && !errors ? (
        <p id={`server-${name}-hint`} className="mt-1 text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`server-${name}-error`} errors={errors} />
    </div>
  );
}

export function AddServerForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(addServerAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field name="name" label="Name" state={state} hint="How the dashboard calls it, e.g. “shop primary”." />
      <div className="grid grid-cols-3 gap-3">
        <div className="col-span-2">
          <Field name="host" label="Host" state={state} defaultValue="127.0.0.1" />
        </div>
        <Field name="port" label="Port" state={state} type="number" defaultValue="3306" />
      </div>
      <Field name="user" label="User" state={state} autoComplete="off" />
      <Field name="password" label="Password" state={state} type="password" autoComplete="new-password" hint="Kept on this machine only; it is never sent back to the browser." />
      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Checking the connection…' : 'Save server'}
      </button>
    </form>
  );
}

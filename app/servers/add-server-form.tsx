'use client';

import { startTransition, useActionState, useState } from 'react';
import { TLS_MODE_WORDS, TlsMode } from '@/lib/core/tls-modes.ts';
import { addServerAction, testConnectionAction, type ConnectionState } from '../_actions/servers.ts';
import type { FormState } from '../_actions/state.ts';
import { buttonClass, FieldError, FormAlert, inputClass, secondaryButtonClass } from '../_components/ui.tsx';
import { useEditedFields } from '../_components/use-edited-fields.ts';

const LOCKS = [
  { value: 'snapshot', label: 'One snapshot (RELOAD + binlog monitor)' },
  { value: 'per-db', label: 'Per database (LOCK TABLES + binlog monitor)' },
  { value: 'per-table', label: 'Per table (LOCK TABLES + binlog monitor)' },
  { value: 'lockless', label: 'Lockless (SELECT + binlog monitor)' },
  { value: 'none', label: 'No locks (SELECT)' },
];

function ConnectionResult({ state }: { state: ConnectionState }) {
  const report = state.report;
  return (
    <div aria-live="polite" aria-atomic="true">
      {report ? (
        <div role="status" aria-label="Connection test" className={`rounded-md border px-3 py-2 text-sm ${report.ok && report.missing.length === 0 ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200' : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/50 dark:text-amber-200'}`}>
          <p>{report.summary}</p>
          {report.missing.length > 0 ? (
            <ul aria-label="Missing privileges" className="mt-1 list-disc pl-5">
              {report.missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

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

function PemField({ name, label, state, hint, secret = false }: { name: string; label: string; state: FormState; hint: string; secret?: boolean }) {
  const errors = state.fieldErrors?.[name];
  const value = secret ? undefined : state.values?.[name];
  return (
    <div>
      <label htmlFor={`server-${name}`} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <textarea
        id={`server-${name}`}
        name={name}
        rows={4}
        spellCheck={false}
        autoComplete="off"
        placeholder={secret ? '-----BEGIN PRIVATE KEY-----' : '-----BEGIN CERTIFICATE-----'}
        defaultValue={typeof value === 'string' ? value : ''}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? `server-${name}-error` : `server-${name}-hint`}
        className={`${inputClass} font-mono text-xs`}
      />
      {!errors ? (
        <p id={`server-${name}-hint`} className="mt-1 text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`server-${name}-error`} errors={errors} />
    </div>
  );
}

function TlsSection({ state }: { state: FormState }) {
  const initial = TlsMode.safeParse(state.values?.['tlsMode']);
  const [mode, setMode] = useState<TlsMode>(initial.success ? initial.data : 'off');
  const errors = state.fieldErrors?.['tlsMode'];
  return (
    <fieldset className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <legend className="px-1 text-sm font-medium">TLS</legend>
      <div>
        <label htmlFor="server-tlsMode" className="mb-1 block text-sm font-medium">
          TLS mode
        </label>
        <select
          id="server-tlsMode"
          name="tlsMode"
          value={mode}
          onChange={(event) => setMode(TlsMode.catch('off').parse(event.target.value))}
          aria-describedby={errors ? 'server-tlsMode-error' : 'server-tlsMode-hint'}
          aria-invalid={errors ? true : undefined}
          className={inputClass}
        >
          {TlsMode.options.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <p id="server-tlsMode-hint" className="mt-1 text-xs text-zinc-500">
          {TLS_MODE_WORDS[mode]}
        </p>
        <FieldError id="server-tlsMode-error" errors={errors} />
      </div>
      {mode !== 'off' ? (
        <>
          <PemField name="tlsCa" label={mode === 'verify-ca' ? 'CA certificate (PEM)' : 'CA certificate (PEM, optional)'} state={state} hint={mode === 'required' ? 'Not checked in required mode.' : mode === 'verify-identity' ? 'Leave empty to trust the system’s public CAs.' : 'The CA that signed the server certificate (the server’s ssl-ca).'} />
          <PemField name="tlsCert" label="Client certificate (PEM, optional)" state={state} hint="For accounts created REQUIRE X509 or SUBJECT: mutual TLS." />
          <PemField name="tlsKey" label="Client key (PEM, optional)" state={state} secret hint="Unencrypted. Sealed on this machine like the password; never sent back to the browser." />
        </>
      ) : null}
    </fieldset>
  );
}

export function AddServerForm() {
  const [saved, action, pending] = useActionState<FormState, FormData>(addServerAction, {});
  const [tested, testAction, testing] = useActionState<ConnectionState, FormData>(testConnectionAction, {});
  // Field errors of whichever action answered last.
  const answered: FormState = tested.fieldErrors && !saved.fieldErrors ? { ...saved, fieldErrors: tested.fieldErrors } : saved;
  // A corrected field drops its error at once, not at the next submit.
  const { shown: state, onChange } = useEditedFields(answered, saved, tested);
  return (
    <form action={action} onChange={onChange} className="space-y-4" noValidate>
      <Field name="name" label="Name" state={state} hint="How the dashboard calls it, e.g. “shop primary”." />
      <div className="grid grid-cols-3 gap-3">
        <div className="col-span-2">
          <Field name="host" label="Host" state={state} defaultValue="127.0.0.1" />
        </div>
        <Field name="port" label="Port" state={state} type="number" defaultValue="3306" />
      </div>
      <Field name="user" label="User" state={state} autoComplete="off" />
      <Field name="password" label="Password" state={state} type="password" autoComplete="new-password" hint="Kept on this machine only; it is never sent back to the browser." />
      <TlsSection state={state} />
      <div>
        <label htmlFor="server-lock" className="mb-1 block text-sm font-medium">
          Check privileges for
        </label>
        <select id="server-lock" name="lock" defaultValue="snapshot" className={inputClass}>
          {LOCKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </div>
      <ConnectionResult state={tested} />
      <FormAlert state={state} />
      <div className="flex gap-3">
        <button type="submit" className={buttonClass} disabled={pending || testing}>
          {pending ? 'Checking the connection…' : 'Save server'}
        </button>
        {/* Not a form action: React would reset the form (and its password) after it. */}
        <button
          type="button"
          onClick={(event) => {
            const form = event.currentTarget.form;
            if (form) startTransition(() => testAction(new FormData(form)));
          }}
          className={secondaryButtonClass}
          disabled={pending || testing}
        >
          {testing ? 'Testing…' : 'Test connection'}
        </button>
      </div>
    </form>
  );
}

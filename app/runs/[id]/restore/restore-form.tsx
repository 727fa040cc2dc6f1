'use client';

import { useActionState } from 'react';
import { startRestoreAction } from '../../../_actions/runs.ts';
import type { FormState } from '../../../_actions/state.ts';
import { buttonClass, cardClass, FieldError, FormAlert, inputClass } from '../../../_components/ui.tsx';
import { formatCount } from '../../../_lib/format.ts';

interface DatabaseChoice {
  name: string;
  tables: { name: string; rows: number }[];
}

export function RestoreForm({ sourceRunId, servers, databases, threads, defaultServerId }: { sourceRunId: string; servers: { id: string; name: string; address: string }[]; databases: DatabaseChoice[]; threads: number; defaultServerId: string | null }) {
  const [state, action, pending] = useActionState<FormState, FormData>(startRestoreAction, {});
  const errors = state.fieldErrors ?? {};
  const value = (name: string, fallback: string) => (typeof state.values?.[name] === 'string' ? (state.values[name] as string) : fallback);
  const pickedTables = Array.isArray(state.values?.tables) ? (state.values.tables as string[]) : null;
  if (servers.length === 0) return <p className="text-zinc-500">Add a server to restore into first.</p>;
  return (
    <form action={action} className="space-y-8" noValidate>
      <input type="hidden" name="sourceRunId" value={sourceRunId} />
      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Target</legend>
        <label htmlFor="restore-target" className="mb-1 block text-sm font-medium">
          Target server
        </label>
        <select id="restore-target" name="targetServerId" defaultValue={value('targetServerId', servers.some((s) => s.id === defaultServerId) ? defaultServerId! : servers[0]!.id)} className={inputClass}>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.address})
            </option>
          ))}
        </select>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Databases and tables</legend>
        <p className="mb-3 text-sm text-zinc-500">Restore each database under its own name or a new one. Leave every table ticked for a full restore with views, triggers and routines.</p>
        <ul className="space-y-4">
          {databases.map((db) => (
            <li key={db.name}>
              <label htmlFor={`rename-${db.name}`} className="mb-1 block text-sm font-medium">
                Restore {db.name} as
              </label>
              <input
                id={`rename-${db.name}`}
                name={`rename:${db.name}`}
                defaultValue={value(`rename:${db.name}`, db.name)}
                className={`${inputClass} font-mono`}
                aria-invalid={errors[`rename:${db.name}`] ? true : undefined}
                aria-describedby={`rename-${db.name}-error`}
              />
              <FieldError id={`rename-${db.name}-error`} errors={errors[`rename:${db.name}`]} />
              <details className="mt-2">
                <summary className="cursor-pointer text-xs text-zinc-500">Tables of {db.name}</summary>
                <ul className="mt-1 grid gap-1 sm:grid-cols-2">
                  {db.tables.map((t) => {
                    const name = `${db.name}.${t.name}`;
                    return (
                      <li key={t.name}>
                        <label className="flex items-center gap-2 text-sm">
                          <input type="checkbox" name="tables" value={name} defaultChecked={pickedTables ? pickedTables.includes(name) : true} />
                          <span>{t.name}</span>
                          <span className="text-xs text-zinc-500">{formatCount(t.rows)} rows</span>
                        </label>
                      </li>
                    );
                  })}
                </ul>
              </details>
            </li>
          ))}
        </ul>
        <FieldError id="restore-tables-error" errors={errors.tables} />
      </fieldset>

      <fieldset className={`${cardClass} space-y-3`}>
        <legend className="px-1 text-sm font-medium">How</legend>
        <div className="max-w-40">
          <label htmlFor="restore-threads" className="mb-1 block text-sm font-medium">
            Threads
          </label>
          <input id="restore-threads" name="threads" type="number" min={1} max={64} defaultValue={value('threads', String(threads))} className={inputClass} aria-describedby="restore-threads-error" />
          <FieldError id="restore-threads-error" errors={errors.threads} />
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="verify" defaultChecked className="mt-1" />
          <span>
            <span className="font-medium">Verify after loading</span>
            <span className="block text-zinc-500">Reads every chunk’s key range back from the target and compares it with the dump’s content hash.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="dropExisting" className="mt-1" />
          <span>
            <span className="font-medium">Replace existing tables</span>
            <span className="block text-zinc-500">Drops target tables and objects with the same names first. Off: a name that exists is refused.</span>
          </span>
        </label>
        <p className="text-xs text-zinc-500">Point-in-time recovery (replaying the binary log after the restore) is in the restore kit’s commands; the dashboard does not run it yet.</p>
      </fieldset>

      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Starting…' : 'Start restore'}
      </button>
    </form>
  );
}

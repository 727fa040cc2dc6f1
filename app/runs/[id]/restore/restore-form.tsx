'use client';

import { useActionState, useState } from 'react';
import { startRestoreAction } from '../../../_actions/runs.ts';
import type { FormState } from '../../../_actions/state.ts';
import { buttonClass, cardClass, ChoiceSelect, FieldError, FormAlert, inputClass } from '../../../_components/ui.tsx';
import { useEditedFields } from '../../../_components/use-edited-fields.ts';
import { formatCount } from '../../../_lib/format.ts';

interface DatabaseChoice {
  name: string;
  tables: { name: string; rows: number }[];
}

/** Whether the dump can be rolled forward (and from where), or why not. */
export type PitrChoice = { available: true; sourceServer: string; from: string | null } | { available: false; reason: string };

export function RestoreForm({ sourceRunId, servers, databases, threads, format, defaultServerId, pitr }: { sourceRunId: string; servers: { id: string; name: string; address: string }[]; databases: DatabaseChoice[]; threads: number; format: 'sql' | 'tsv'; defaultServerId: string | null; pitr: PitrChoice }) {
  const [answered, action, pending] = useActionState<FormState, FormData>(startRestoreAction, {});
  // A corrected field drops its error at once, not at the next submit.
  const { shown: state, onChange } = useEditedFields(answered, answered);
  const errors = state.fieldErrors ?? {};
  const value = (name: string, fallback: string) => (typeof state.values?.[name] === 'string' ? (state.values[name] as string) : fallback);
  const pickedTables = Array.isArray(state.values?.tables) ? (state.values.tables as string[]) : null;
  if (servers.length === 0) return <p className="text-zinc-500">Add a server to restore into first.</p>;
  return (
    <form action={action} onChange={onChange} className="space-y-8" noValidate>
      <input type="hidden" name="sourceRunId" value={sourceRunId} />
      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Target</legend>
        <label htmlFor="restore-target" className="mb-1 block text-sm font-medium">
          Target server
        </label>
        <ChoiceSelect id="restore-target" name="targetServerId" defaultValue={value('targetServerId', servers.some((s) => s.id === defaultServerId) ? defaultServerId! : servers[0]!.id)} className={inputClass}>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.address})
            </option>
          ))}
        </ChoiceSelect>
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
        <div className="max-w-md">
          <label htmlFor="restore-load-method" className="mb-1 block text-sm font-medium">
            Load rows with
          </label>
          <ChoiceSelect id="restore-load-method" name="loadMethod" defaultValue={value('loadMethod', 'auto')} className={inputClass} aria-describedby="restore-load-method-help restore-load-method-error">
            <option value="auto">Automatic: LOAD DATA when the target allows it</option>
            <option value="load-data">LOAD DATA LOCAL INFILE (the target needs local_infile)</option>
            {/* A tsv dump holds no INSERTs: the engine would refuse the choice. */}
            {format === 'sql' ? <option value="insert">INSERT statements</option> : null}
          </ChoiceSelect>
          <p id="restore-load-method-help" className="mt-1 text-xs text-zinc-500">
            {format === 'sql'
              ? 'LOAD DATA is less work for the server: this SQL dump’s rows are rewritten to tab-separated lines as they stream.'
              : 'This is a TSV dump: it always loads with LOAD DATA, and the target must allow local_infile.'}
          </p>
          <FieldError id="restore-load-method-error" errors={errors.loadMethod} />
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="verify" defaultChecked className="mt-1" />
          <span>
            <span className="font-medium">Verify after loading</span>
            <span className="block text-zinc-500">Reads every chunk’s key range back from the target and compares it with the dump’s content hash (before any roll forward).</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="deferIndexes" defaultChecked className="mt-1" />
          <span>
            <span className="font-medium">Build secondary indexes after loading</span>
            <span className="block text-zinc-500">Loads rows with the primary and unique keys only, then adds the plain indexes in one pass per table: about a third less work for the server. Untick to create each table with all its indexes first.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="dropExisting" className="mt-1" />
          <span>
            <span className="font-medium">Replace existing tables</span>
            <span className="block text-zinc-500">Drops target tables and objects with the same names first. Off: a name that exists is refused.</span>
          </span>
        </label>
      </fieldset>

      <PointInTime key={typeof state.values?.pitr === 'string' ? `${state.values.pitr}-${state.ok ?? ''}` : 'initial'} pitr={pitr} errors={errors} value={value} />

      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Starting…' : 'Start restore'}
      </button>
    </form>
  );
}

const STOPS = [
  { kind: 'end', label: 'To the end of the binary log', hint: 'Everything the source has logged when the roll forward starts.' },
  { kind: 'datetime', label: 'To a date and time', hint: 'Transactions logged before it, UTC, whole seconds.', field: 'Stop date and time (UTC)', placeholder: '2026-12-03 14:30:00' },
  { kind: 'position', label: 'To a binlog position', hint: 'Events that start before this position of this binlog file.', field: 'Stop binlog position', placeholder: 'binlog.000042:1234' },
  { kind: 'gtid', label: 'To a GTID', hint: 'Up to and including this MariaDB GTID (domain-server-sequence).', field: 'Stop GTID', placeholder: '0-1-500' },
] as const;

/** The optional point-in-time step: roll forward with the source's binary log after loading, until a stop point. */
function PointInTime({ pitr, errors, value }: { pitr: PitrChoice; errors: Record<string, string[] | undefined>; value: (name: string, fallback: string) => string }) {
  const [kind, setKind] = useState(() => (pitr.available ? value('pitr', 'none') : 'none'));
  return (
    <fieldset className={`${cardClass} space-y-3`} aria-describedby="pitr-about">
      <legend className="px-1 text-sm font-medium">Point in time</legend>
      <p id="pitr-about" className="text-sm text-zinc-500">
        {pitr.available
          ? `After loading (and verifying), roll forward with the binary log of ${pitr.sourceServer}, the server this backup was taken from${pitr.from ? `, from ${pitr.from}` : ''}, until a stop point.`
          : 'After loading, roll forward with the binary log of the server this backup was taken from, until a stop point.'}
      </p>
      {pitr.available ? null : (
        <p id="pitr-unavailable" role="note" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
          Rolling forward is not possible: {pitr.reason}
        </p>
      )}
      <label className="flex items-start gap-2 text-sm">
        <input type="radio" name="pitr" value="none" checked={kind === 'none'} onChange={() => setKind('none')} className="mt-1" />
        <span className="font-medium">Don’t roll forward</span>
      </label>
      {STOPS.map((stop) => (
        <div key={stop.kind}>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="pitr"
              value={stop.kind}
              checked={kind === stop.kind}
              onChange={() => setKind(stop.kind)}
              disabled={!pitr.available}
              aria-describedby={pitr.available ? undefined : 'pitr-unavailable'}
              className="mt-1"
            />
            <span>
              <span className="font-medium">Roll forward {stop.label.charAt(0).toLowerCase() + stop.label.slice(1)}</span>
              <span className="block text-zinc-500">{stop.hint}</span>
            </span>
          </label>
          {'field' in stop ? (
            <div className="mt-1 ml-6 max-w-sm">
              <label htmlFor={`pitr-${stop.kind}`} className="sr-only">
                {stop.field}
              </label>
              <input
                id={`pitr-${stop.kind}`}
                name={`pitr:${stop.kind}`}
                defaultValue={value(`pitr:${stop.kind}`, '')}
                placeholder={stop.placeholder}
                disabled={kind !== stop.kind}
                className={`${inputClass} font-mono`}
                aria-invalid={errors[`pitr:${stop.kind}`] ? true : undefined}
                aria-describedby={`pitr-${stop.kind}-error`}
              />
              <FieldError id={`pitr-${stop.kind}-error`} errors={errors[`pitr:${stop.kind}`]} />
            </div>
          ) : null}
        </div>
      ))}
      <FieldError id="pitr-error" errors={errors.pitr} />
    </fieldset>
  );
}

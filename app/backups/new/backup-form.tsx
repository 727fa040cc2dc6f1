'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useState } from 'react';
import type { ServerObjects } from '@/lib/runs/servers.ts';
import { startBackupAction } from '../../_actions/runs.ts';
import type { FormState } from '../../_actions/state.ts';
import { buttonClass, cardClass, ChoiceSelect, FieldError, FormAlert, inputClass } from '../../_components/ui.tsx';
import { useEditedFields } from '../../_components/use-edited-fields.ts';
import { formatBytes, formatCount } from '../../_lib/format.ts';

const LOCKS = [
  { value: 'snapshot', label: 'One snapshot', help: 'Blocks commits for a moment while every worker opens its snapshot; all tables from one point in time, with binlog coordinates.' },
  { value: 'per-db', label: 'Per database', help: 'Read-locks one database’s tables while its snapshot opens; consistent within each database, not across them.' },
  { value: 'per-table', label: 'Per table', help: 'Write-locks each table while it is read; consistent within each table only.' },
  { value: 'none', label: 'No locks', help: 'Takes no lock at all; consistent only if nothing writes (a stopped replica).' },
] as const;

export interface ServerChoice {
  id: string;
  name: string;
  address: string;
}

export function BackupForm({ servers, serverId, objects, suggestedOutDir }: { servers: ServerChoice[]; serverId: string; objects: ServerObjects | null; suggestedOutDir: string }) {
  const router = useRouter();
  const [answered, action, pending] = useActionState<FormState, FormData>(startBackupAction, {});
  // A corrected field drops its error at once, not at the next submit.
  const { shown: state, onChange } = useEditedFields(answered, answered);
  const picked = (name: string) => (Array.isArray(state.values?.[name]) ? (state.values[name] as string[]) : []);
  const [wholeDbs, setWholeDbs] = useState<Set<string>>(() => new Set(picked('databases')));
  const text = (name: string, fallback: string) => (typeof state.values?.[name] === 'string' ? (state.values[name] as string) : fallback);
  const errors = state.fieldErrors ?? {};

  return (
    <form action={action} onChange={onChange} className="space-y-8" noValidate>
      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Source</legend>
        <label htmlFor="backup-server" className="mb-1 block text-sm font-medium">
          Server
        </label>
        <select
          id="backup-server"
          name="serverId"
          defaultValue={serverId}
          onChange={(e) => router.replace(`/backups/new?server=${encodeURIComponent(e.target.value)}`)}
          className={inputClass}
        >
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.address})
            </option>
          ))}
        </select>
        {objects ? <p className="mt-1 text-xs text-zinc-500">{objects.version}</p> : null}
      </fieldset>

      <fieldset className={cardClass} aria-describedby={errors.databases ? 'backup-databases-error' : undefined}>
        <legend className="px-1 text-sm font-medium">Databases and tables</legend>
        {!objects ? (
          <p className="text-sm text-zinc-500">The server’s databases could not be listed.</p>
        ) : objects.databases.length === 0 ? (
          <p className="text-sm text-zinc-500">This server has no databases besides the system ones.</p>
        ) : (
          <ul className="space-y-3">
            {objects.databases.map((db) => {
              const whole = wholeDbs.has(db.name);
              const rows = db.tables.reduce((a, t) => a + t.rowsEstimate, 0);
              const bytes = db.tables.reduce((a, t) => a + t.bytesEstimate, 0);
              return (
                <li key={db.name}>
                  <label className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="databases"
                      value={db.name}
                      checked={whole}
                      onChange={(e) =>
                        setWholeDbs((prev) => {
                          const next = new Set(prev);
                          if (e.target.checked) next.add(db.name);
                          else next.delete(db.name);
                          return next;
                        })
                      }
                    />
                    <span className="font-medium">{db.name}</span>
                    <span className="text-xs text-zinc-500">
                      {db.tables.length} tables · about {formatCount(rows)} rows · {formatBytes(bytes)}
                    </span>
                  </label>
                  {db.tables.length > 0 ? (
                    <details className="ml-6 mt-1">
                      <summary className="cursor-pointer text-xs text-zinc-500">Pick tables of {db.name}</summary>
                      <ul className="mt-1 grid gap-1 sm:grid-cols-2">
                        {db.tables.map((t) => (
                          <li key={t.name}>
                            <label className="flex items-center gap-2 text-sm">
                              <input type="checkbox" name="tables" value={`${db.name}.${t.name}`} disabled={whole} defaultChecked={picked('tables').includes(`${db.name}.${t.name}`)} />
                              <span>{t.name}</span>
                              <span className="text-xs text-zinc-500">~{formatCount(t.rowsEstimate)} rows</span>
                            </label>
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
        <FieldError id="backup-databases-error" errors={errors.databases ?? errors.tables} />
      </fieldset>

      <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
        <legend className="px-1 text-sm font-medium">Speed</legend>
        <div>
          <label htmlFor="backup-threads" className="mb-1 block text-sm font-medium">
            Threads
          </label>
          <input id="backup-threads" name="threads" type="number" min={1} max={64} defaultValue={text('threads', '4')} className={inputClass} aria-invalid={errors.threads ? true : undefined} aria-describedby="backup-threads-error" />
          <FieldError id="backup-threads-error" errors={errors.threads} />
        </div>
        <div>
          <label htmlFor="backup-chunk-rows" className="mb-1 block text-sm font-medium">
            Rows per chunk
          </label>
          <input id="backup-chunk-rows" name="chunkRows" type="number" min={100} defaultValue={text('chunkRows', '100000')} className={inputClass} aria-invalid={errors.chunkRows ? true : undefined} aria-describedby="backup-chunk-rows-error" />
          <FieldError id="backup-chunk-rows-error" errors={errors.chunkRows} />
        </div>
        <div>
          <label htmlFor="backup-compress" className="mb-1 block text-sm font-medium">
            Compression
          </label>
          <ChoiceSelect id="backup-compress" name="compress" defaultValue={text('compress', 'zstd')} className={inputClass}>
            <option value="zstd">zstd (fast, small)</option>
            <option value="gzip">gzip</option>
            <option value="none">none</option>
          </ChoiceSelect>
        </div>
        <div>
          <label htmlFor="backup-format" className="mb-1 block text-sm font-medium">
            Data format
          </label>
          <ChoiceSelect id="backup-format" name="format" defaultValue={text('format', 'sql')} className={inputClass} aria-describedby="backup-format-hint">
            <option value="sql">SQL (INSERT statements)</option>
            <option value="tsv">TSV (LOAD DATA, faster restore)</option>
          </ChoiceSelect>
          <p id="backup-format-hint" className="mt-1 text-xs text-zinc-500">
            TSV restores faster; the target must allow LOAD DATA LOCAL (local_infile).
          </p>
        </div>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Lock strategy</legend>
        <div className="space-y-2">
          {LOCKS.map((l) => (
            <label key={l.value} className="flex items-start gap-2 text-sm">
              <input type="radio" name="lock" value={l.value} defaultChecked={text('lock', 'snapshot') === l.value} className="mt-1" aria-describedby={`lock-${l.value}-help`} />
              <span>
                <span className="font-medium">{l.label}</span>
                <span id={`lock-${l.value}-help`} className="block text-zinc-500 dark:text-zinc-400">
                  {l.help}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Output</legend>
        <label htmlFor="backup-out-dir" className="mb-1 block text-sm font-medium">
          Output location
        </label>
        <input
          id="backup-out-dir"
          name="outDir"
          type="text"
          defaultValue={text('outDir', '')}
          placeholder={suggestedOutDir}
          className={`${inputClass} font-mono`}
          aria-invalid={errors.outDir ? true : undefined}
          aria-describedby="backup-out-dir-hint backup-out-dir-error"
        />
        <p id="backup-out-dir-hint" className="mt-1 text-xs text-zinc-500">
          A new or empty folder on this machine. Leave empty for {suggestedOutDir}
        </p>
        <FieldError id="backup-out-dir-error" errors={errors.outDir} />
      </fieldset>

      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending || !objects}>
        {pending ? 'Starting…' : 'Start backup'}
      </button>
    </form>
  );
}

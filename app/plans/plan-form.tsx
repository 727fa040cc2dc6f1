'use client';

import { useActionState, useEffect, useState } from 'react';
import type { PreviewReply } from '@/lib/plans/preview-plan.ts';
import { savePlanAction } from '../_actions/plans.ts';
import type { FormState } from '../_actions/state.ts';
import { buttonClass, cardClass, ChoiceSelect, FieldError, FormAlert, inputClass } from '../_components/ui.tsx';

export interface ServerChoice {
  id: string;
  name: string;
  address: string;
}

type Values = Record<string, string | string[]>;

const RETENTION = [
  { name: 'keepLast', label: 'Keep last', help: 'newest backups' },
  { name: 'daily', label: 'Daily', help: 'days, newest of each' },
  { name: 'weekly', label: 'Weekly', help: 'weeks' },
  { name: 'monthly', label: 'Monthly', help: 'months' },
  { name: 'yearly', label: 'Yearly', help: 'years' },
] as const;

/** The live preview: asks the server (croner, the plan's backups) as the user types, a moment after the last key. */
function usePreview({ cron, timeZone, retention, planId }: { cron: string; timeZone: string; retention: Record<string, string>; planId: string | null }) {
  const [preview, setPreview] = useState<PreviewReply | null>(null);
  const key = JSON.stringify({ cron, timeZone, retention, planId });
  useEffect(() => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      fetch('/api/plans/preview', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: key, signal: abort.signal })
        .then((r) => (r.ok ? (r.json() as Promise<PreviewReply>) : null))
        .then((p) => p && setPreview(p))
        .catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  return preview;
}

function Field({ id, name, label, errors, hint, ...input }: { id: string; name: string; label: string; errors: Record<string, string[] | undefined>; hint?: string } & React.ComponentProps<'input'>) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input id={id} name={name} className={inputClass} aria-invalid={errors[name] ? true : undefined} aria-describedby={`${id}-error${hint ? ` ${id}-hint` : ''}`} {...input} />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} errors={errors[name]} />
    </div>
  );
}

export function PlanForm({ servers, initial, planId, hasWebhookSecret, hasSmtpPassword }: { servers: ServerChoice[]; initial: Values; planId: string | null; hasWebhookSecret: boolean; hasSmtpPassword: boolean }) {
  const [state, action, pending] = useActionState<FormState, FormData>(savePlanAction, {});
  const values: Values = { ...initial, ...(state.values ?? {}) };
  const text = (name: string, fallback = '') => (typeof values[name] === 'string' ? (values[name] as string) : fallback);
  const checked = (name: string) => text(name) === 'on';
  const errors = state.fieldErrors ?? {};
  const [cron, setCron] = useState(text('cron', '0 2 * * *'));
  const [timeZone, setTimeZone] = useState(text('timeZone', 'UTC'));
  const [retention, setRetention] = useState<Record<string, string>>(() => Object.fromEntries(RETENTION.map((r) => [r.name, text(r.name, r.name === 'keepLast' ? '7' : '0')])));
  const preview = usePreview({ cron, timeZone, retention, planId });

  return (
    <form action={action} className="space-y-8" noValidate>
      {planId ? <input type="hidden" name="planId" value={planId} /> : null}
      <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-2`}>
        <legend className="px-1 text-sm font-medium">What</legend>
        <Field id="plan-name" name="name" label="Plan name" errors={errors} defaultValue={text('name')} />
        <div>
          <label htmlFor="plan-server" className="mb-1 block text-sm font-medium">
            Server
          </label>
          <ChoiceSelect id="plan-server" name="serverId" defaultValue={text('serverId', servers[0]?.id ?? '')} className={inputClass} aria-describedby="plan-server-error">
            {servers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.address})
              </option>
            ))}
          </ChoiceSelect>
          <FieldError id="plan-server-error" errors={errors.serverId} />
        </div>
        <Field id="plan-databases" name="databases" label="Databases" errors={errors} defaultValue={text('databases')} hint="Names or patterns (shop_*), separated by commas." />
        <Field id="plan-tables" name="tables" label="Tables" errors={errors} defaultValue={text('tables')} hint="database.table, separated by commas (optional)." />
        <Field id="plan-exclude" name="excludeTables" label="Leave out tables" errors={errors} defaultValue={text('excludeTables')} hint="database.table or patterns (optional)." />
      </fieldset>

      <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
        <legend className="px-1 text-sm font-medium">How</legend>
        <Field id="plan-threads" name="threads" label="Threads" type="number" min={1} max={64} errors={errors} defaultValue={text('threads', '4')} />
        <Field id="plan-chunk-rows" name="chunkRows" label="Rows per chunk" type="number" min={100} errors={errors} defaultValue={text('chunkRows', '100000')} />
        <div>
          <label htmlFor="plan-compress" className="mb-1 block text-sm font-medium">
            Compression
          </label>
          <ChoiceSelect id="plan-compress" name="compress" defaultValue={text('compress', 'zstd')} className={inputClass}>
            <option value="zstd">zstd (fast, small)</option>
            <option value="gzip">gzip</option>
            <option value="none">none</option>
          </ChoiceSelect>
        </div>
        <div>
          <label htmlFor="plan-format" className="mb-1 block text-sm font-medium">
            Data format
          </label>
          <ChoiceSelect id="plan-format" name="format" defaultValue={text('format', 'sql')} className={inputClass}>
            <option value="sql">SQL (INSERT statements)</option>
            <option value="tsv">TSV (LOAD DATA, faster restore)</option>
          </ChoiceSelect>
        </div>
        <div>
          <label htmlFor="plan-lock" className="mb-1 block text-sm font-medium">
            Lock strategy
          </label>
          <ChoiceSelect id="plan-lock" name="lock" defaultValue={text('lock', 'snapshot')} className={inputClass}>
            <option value="snapshot">One snapshot</option>
            <option value="per-db">Per database</option>
            <option value="per-table">Per table</option>
            <option value="none">No locks</option>
          </ChoiceSelect>
        </div>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">When</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="plan-cron" name="cron" label="Schedule (cron)" errors={errors} value={cron} onChange={(e) => setCron(e.target.value)} hint="minute hour day month weekday, e.g. 0 2 * * * (a sixth leading field gives seconds)" className={`${inputClass} font-mono`} />
          <Field id="plan-time-zone" name="timeZone" label="Time zone" errors={errors} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} hint="IANA name: Europe/Paris, America/New_York, UTC" />
        </div>
        <div aria-live="polite" className="mt-3 text-sm" data-testid="schedule-preview">
          {preview?.schedule.ok ? (
            <>
              <p className="font-medium">Runs {preview.schedule.description}</p>
              <p className="mt-1 text-xs text-zinc-500">Next five runs:</p>
              <ol className="mt-1 list-inside list-decimal font-mono text-xs" aria-label="Next run times">
                {preview.schedule.next.map((n) => (
                  <li key={n.at}>{n.local}</li>
                ))}
              </ol>
            </>
          ) : preview && !preview.schedule.ok ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {preview.schedule.message} ({preview.schedule.code})
            </p>
          ) : null}
          <p className="mt-2 text-xs text-zinc-500">If paradump is not running when a run is due, it starts that run once when it comes back (one catch-up run, not one per missed slot). A run still going when the next is due makes that next one skip.</p>
        </div>
        <label className="mt-3 flex items-center gap-2 text-sm">
          <input type="checkbox" name="paused" defaultChecked={checked('paused')} /> Paused (no scheduled runs)
        </label>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Retention</legend>
        <div className="grid gap-4 sm:grid-cols-5">
          {RETENTION.map((r) => (
            <Field key={r.name} id={`plan-${r.name}`} name={r.name} label={r.label} type="number" min={0} errors={errors} hint={r.help} value={retention[r.name] ?? ''} onChange={(e) => setRetention((prev) => ({ ...prev, [r.name]: e.target.value }))} />
          ))}
        </div>
        <p className="mt-2 text-xs text-zinc-500">Applied after each successful backup only. The newest good backup and any backup a restore is reading are always kept.</p>
        <div aria-live="polite" className="mt-3 text-sm" data-testid="retention-preview">
          {preview && !preview.retention.ok ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {preview.retention.message} ({preview.retention.code})
            </p>
          ) : preview?.retention.ok ? (
            preview.retention.backups.length === 0 ? (
              <p className="text-xs text-zinc-500">No backups of this plan yet: nothing to keep or delete.</p>
            ) : (
              <>
                <p className="text-xs">
                  Of {preview.retention.backups.length} backups: keeps {preview.retention.backups.filter((b) => b.keep).length}, deletes {preview.retention.backups.filter((b) => !b.keep).length}.
                </p>
                <ul className="mt-1 max-h-40 overflow-auto font-mono text-xs">
                  {preview.retention.backups.map((b) => (
                    <li key={b.id} className={b.keep ? '' : 'text-red-700 line-through dark:text-red-400'}>
                      {b.at.slice(0, 16).replace('T', ' ')} {b.keep ? `keep (${b.reasons.join(', ')})` : 'delete'}
                    </li>
                  ))}
                </ul>
              </>
            )
          ) : null}
        </div>
      </fieldset>

      <fieldset className={cardClass}>
        <legend className="px-1 text-sm font-medium">Alerts</legend>
        <p className="mb-3 text-xs text-zinc-500">Failures always alert. Secrets are stored encrypted{planId ? '; leave a secret empty to keep the saved one' : ''}.</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="plan-webhook-url" name="webhookUrl" label="Webhook URL" errors={errors} defaultValue={text('webhookUrl')} placeholder="https://hooks.example.com/paradump" />
          <Field id="plan-webhook-secret" name="webhookSecret" label="Webhook secret" type="password" autoComplete="off" errors={errors} placeholder={hasWebhookSecret ? '(saved)' : 'at least 16 characters'} hint="Signs each request: X-Paradump-Signature: sha256=HMAC(secret, timestamp.body)" />
          <Field id="plan-email-to" name="emailTo" label="Email to" errors={errors} defaultValue={text('emailTo')} placeholder="ops@example.com" />
          <Field id="plan-smtp-from" name="smtpFrom" label="From" errors={errors} defaultValue={text('smtpFrom')} placeholder="paradump@example.com" />
          <Field id="plan-smtp-host" name="smtpHost" label="SMTP host" errors={errors} defaultValue={text('smtpHost')} />
          <Field id="plan-smtp-port" name="smtpPort" label="SMTP port" type="number" errors={errors} defaultValue={text('smtpPort', '587')} />
          <Field id="plan-smtp-user" name="smtpUser" label="SMTP user" errors={errors} defaultValue={text('smtpUser')} autoComplete="off" />
          <Field id="plan-smtp-password" name="smtpPassword" label="SMTP password" type="password" autoComplete="off" errors={errors} placeholder={hasSmtpPassword ? '(saved)' : ''} />
        </div>
        <div className="mt-3 flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" name="smtpSecure" defaultChecked={checked('smtpSecure')} /> TLS from the start (port 465)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="onSuccess" defaultChecked={checked('onSuccess')} /> Also on success
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="stale" defaultChecked={text('stale', 'on') === 'on'} /> When stale (no good backup within the schedule)
          </label>
        </div>
        <div className="mt-3 max-w-xs">
          <Field id="plan-slow" name="slowFactor" label="Slow: alert above × usual time" type="number" step="0.1" errors={errors} defaultValue={text('slowFactor')} placeholder="e.g. 2 (empty: never)" />
        </div>
      </fieldset>

      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Saving…' : planId ? 'Save plan' : 'Create plan'}
      </button>
    </form>
  );
}

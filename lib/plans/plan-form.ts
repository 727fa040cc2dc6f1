import type { z } from 'zod';
import type { PlanInput } from './plan-schema.ts';
import type { PlanView } from './plan-store.ts';

/** A form's fields as text (one value) or lists (checkboxes). */
export type FormValues = Record<string, string | string[]>;

const list = (text: string | string[] | undefined) =>
  (Array.isArray(text) ? text : (text ?? '').split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const opt = (v: string | string[] | undefined) => (one(v) === '' ? undefined : one(v));

/**
 * The plan form's flat fields to the Plan schema's shape. Empty webhook URL and secret: no webhook;
 * empty recipients: no email. Checkboxes are "on" when ticked.
 */
export function planInputFromForm(f: FormValues): PlanInput {
  const webhookUrl = one(f.webhookUrl).trim();
  const emailTo = list(f.emailTo);
  const slow = one(f.slowFactor).trim();
  return {
    name: one(f.name),
    serverId: one(f.serverId),
    databases: list(f.databases),
    tables: list(f.tables),
    excludeTables: list(f.excludeTables),
    dump: { threads: opt(f.threads), chunkRows: opt(f.chunkRows), lock: opt(f.lock) as never, compress: opt(f.compress) as never, format: opt(f.format) as never, encryptKeyFile: one(f.encryptKeyFile) },
    schedule: { cron: one(f.cron), timeZone: one(f.timeZone) },
    retention: { keepLast: opt(f.keepLast) ?? 0, daily: opt(f.daily) ?? 0, weekly: opt(f.weekly) ?? 0, monthly: opt(f.monthly) ?? 0, yearly: opt(f.yearly) ?? 0 },
    alerts: {
      webhook: webhookUrl || one(f.webhookSecret) ? { url: webhookUrl, secret: one(f.webhookSecret) } : null,
      email: emailTo.length
        ? { to: emailTo, smtp: { host: one(f.smtpHost), port: opt(f.smtpPort) ?? 587, secure: one(f.smtpSecure) === 'on', user: opt(f.smtpUser), password: opt(f.smtpPassword), from: one(f.smtpFrom) } }
        : null,
      onSuccess: one(f.onSuccess) === 'on',
      slowFactor: slow === '' ? null : slow,
      stale: one(f.stale) === 'on',
    },
    copyTargetIds: list(f.copyTargetIds),
    paused: one(f.paused) === 'on',
  };
}

/** Form field names by schema path (`schedule.cron` → `cron`), so errors show at their input. */
const FIELD: Record<string, string> = {
  'schedule.cron': 'cron',
  'schedule.timeZone': 'timeZone',
  'dump.threads': 'threads',
  'dump.chunkRows': 'chunkRows',
  'dump.encryptKeyFile': 'encryptKeyFile',
  'alerts.webhook.url': 'webhookUrl',
  'alerts.webhook.secret': 'webhookSecret',
  'alerts.email.to': 'emailTo',
  'alerts.email.smtp.host': 'smtpHost',
  'alerts.email.smtp.port': 'smtpPort',
  'alerts.email.smtp.from': 'smtpFrom',
  'alerts.slowFactor': 'slowFactor',
};

export function formFieldOf(path: string): string {
  if (FIELD[path]) return FIELD[path];
  if (path.startsWith('retention.')) return path.slice('retention.'.length);
  if (path.startsWith('alerts.email.to')) return 'emailTo';
  return path.split('.')[0] ?? 'form';
}

export function planFieldErrors(issues: { path: string; message: string }[] | z.core.$ZodIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const path = Array.isArray(issue.path) ? issue.path.join('.') : String(issue.path);
    (out[formFieldOf(path)] ??= []).push(issue.message);
  }
  return out;
}

/** A saved plan as the form's starting values (secrets left empty: "keep the saved one"). */
export function formValuesOf(plan: PlanView): FormValues {
  const s = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  const on = (b: boolean) => (b ? 'on' : '');
  return {
    name: plan.name,
    serverId: plan.serverId,
    databases: plan.databases.join(', '),
    tables: plan.tables.join(', '),
    excludeTables: plan.excludeTables.join(', '),
    threads: s(plan.dump.threads),
    chunkRows: s(plan.dump.chunkRows),
    lock: plan.dump.lock,
    compress: plan.dump.compress,
    format: plan.dump.format,
    encryptKeyFile: plan.dump.encryptKeyFile ?? '',
    cron: plan.schedule.cron,
    timeZone: plan.schedule.timeZone,
    keepLast: s(plan.retention.keepLast),
    daily: s(plan.retention.daily),
    weekly: s(plan.retention.weekly),
    monthly: s(plan.retention.monthly),
    yearly: s(plan.retention.yearly),
    webhookUrl: plan.alerts.webhook?.url ?? '',
    emailTo: plan.alerts.email?.to.join(', ') ?? '',
    smtpHost: plan.alerts.email?.smtp.host ?? '',
    smtpPort: s(plan.alerts.email?.smtp.port ?? 587),
    smtpSecure: on(plan.alerts.email?.smtp.secure ?? false),
    smtpUser: plan.alerts.email?.smtp.user ?? '',
    smtpFrom: plan.alerts.email?.smtp.from ?? '',
    onSuccess: on(plan.alerts.onSuccess),
    slowFactor: s(plan.alerts.slowFactor),
    stale: on(plan.alerts.stale),
    copyTargetIds: plan.copyTargetIds,
    paused: on(plan.paused),
  };
}

import { Cron } from 'croner';
import { z } from 'zod';
import { DumpOptions } from '../engine/options.ts';
import { StartDumpInput } from '../runs/start-dump.ts';

// The one schema of a backup plan. The form, the store and the scheduler all go through it. Field
// messages are the backup form's own (StartDumpInput) where the field is the same.

const form = StartDumpInput.shape;

/** True for an IANA zone the runtime knows (Intl throws RangeError for the rest). */
export function isTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The cron library's refusal (or "never runs"), or null. Five fields (minute precision) or six (with seconds). */
export function cronProblem(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `expected 5 fields (minute hour day month weekday), got ${fields}`;
  try {
    // A pattern that parses but matches no date (30 February) would save a plan that never runs.
    if (!new Cron(pattern.trim(), { paused: true, timezone: 'UTC' }).nextRun()) return 'it matches no date, so the plan would never run';
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const count = (max: number) =>
  z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(0, { error: `From 0 to ${max}` }).max(max, { error: `From 0 to ${max}` });

export const PlanSchedule = z.object({
  cron: z
    .string()
    .trim()
    .min(1, { error: 'Enter a cron expression' })
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `Not a valid cron expression: ${problem}`, params: { code: 'BAD_CRON' } });
    }),
  timeZone: z
    .string()
    .trim()
    .min(1, { error: 'Pick a time zone' })
    .refine(isTimeZone, { error: 'There is no such time zone (use an IANA name such as Europe/Paris)', params: { code: 'UNKNOWN_TIME_ZONE' } }),
});
export type PlanSchedule = z.infer<typeof PlanSchedule>;

/** keep last N, plus grandfather-father-son: the newest backup of each of the last N days, weeks, months, years. */
export const Retention = z
  .object({
    keepLast: count(10_000).default(7),
    daily: count(10_000).default(0),
    weekly: count(10_000).default(0),
    monthly: count(10_000).default(0),
    yearly: count(1_000).default(0),
  })
  .refine((r) => r.keepLast + r.daily + r.weekly + r.monthly + r.yearly > 0, {
    error: 'This retention would keep no backup: keep at least the last one',
    path: ['keepLast'],
    params: { code: 'RETENTION_KEEPS_NOTHING' },
  });
export type Retention = z.infer<typeof Retention>;

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

export const WebhookChannel = z.object({
  url: z.url({ protocol: /^https?$/, error: 'Enter an http:// or https:// URL' }),
  /** HMAC-SHA256 key for the X-Paradump-Signature header. Stored sealed (lib/plans/plan-secrets.ts). */
  secret: z.string().min(16, { error: 'At least 16 characters' }),
});
export type WebhookChannel = z.infer<typeof WebhookChannel>;

export const SmtpSettings = z.object({
  host: z.string().trim().min(1, { error: 'Enter the SMTP host' }),
  port: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 65535' }).max(65535, { error: 'From 1 to 65535' }).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: optionalText,
  /** Stored sealed like server passwords. */
  password: optionalText,
  from: z.email({ error: 'Enter an email address' }),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

export const EmailChannel = z.object({
  to: z.array(z.email({ error: 'Enter an email address' })).min(1, { error: 'Enter an email address' }),
  smtp: SmtpSettings,
});
export type EmailChannel = z.infer<typeof EmailChannel>;

export const PlanAlerts = z.object({
  webhook: WebhookChannel.nullable().default(null),
  email: EmailChannel.nullable().default(null),
  /** Failures always alert; successes only when asked. */
  onSuccess: z.boolean().default(false),
  /** Alert when a backup takes longer than this many times the median of the plan's recent good ones; null: never. */
  slowFactor: z.coerce.number({ error: 'Enter a number' }).min(1.1, { error: 'At least 1.1' }).max(100, { error: 'At most 100' }).nullable().default(null),
  /** Alert when no good backup exists for longer than the schedule's interval (plus a grace). */
  stale: z.boolean().default(true),
});
export type PlanAlerts = z.infer<typeof PlanAlerts>;

/** The dump options a plan runs with: the backup form's fields, checked again by the engine's DumpOptions on save. */
export const PlanDump = z.object({
  threads: form.threads,
  chunkRows: form.chunkRows,
  lock: form.lock,
  compress: form.compress,
  format: form.format,
  lockWaitTimeout: DumpOptions.shape.lockWaitTimeout,
  /** Each backup encrypted with this key file (a path on the server that runs it; read on save and at each run, never stored itself). */
  encryptKeyFile: form.encryptKeyFile,
});
export type PlanDump = z.infer<typeof PlanDump>;

export const Plan = z
  .object({
    name: z.string().trim().min(1, { error: 'Enter a name' }).max(100, { error: 'At most 100 characters' }),
    serverId: form.serverId,
    databases: form.databases,
    tables: form.tables,
    excludeTables: z.array(z.string().regex(/^[^.]+\..+$/, { error: 'Tables are named database.table' })).default([]),
    dump: PlanDump,
    schedule: PlanSchedule,
    retention: Retention,
    alerts: PlanAlerts,
    /** Saved storage targets (lib/targets) each good backup is copied to after the dump, each copy verified. */
    copyTargetIds: z.array(z.string().min(1)).default([]).transform((ids) => [...new Set(ids)]),
    paused: z.boolean().default(false),
  })
  .refine((d) => d.databases.length + d.tables.length > 0, { path: ['databases'], error: 'Pick at least one database or table' });
export type Plan = z.infer<typeof Plan>;
export type PlanInput = z.input<typeof Plan>;

/** The error code a plan issue stands for (cron, zone, retention), else BAD_OPTION. */
export function issueCode(issue: z.core.$ZodIssue): string {
  const params = 'params' in issue ? (issue.params as { code?: unknown } | undefined) : undefined;
  return typeof params?.code === 'string' ? params.code : 'BAD_OPTION';
}

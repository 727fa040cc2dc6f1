import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { DumpOptions } from '../engine/options.ts';
import { keyIdOfFile } from '../runs/key-file.ts';
import { getPrisma } from '../store/prisma.ts';
import { Plan, PlanDump, issueCode, type PlanInput } from './plan-schema.ts';
import { openSmtpPassword, openWebhookSecret, sealSmtpPassword, sealWebhookSecret } from './plan-secrets.ts';

/** Plan.settings as stored: the plan without name, server, paused and without its secrets. */
const StoredSettings = z.object({
  databases: z.array(z.string()),
  tables: z.array(z.string()),
  excludeTables: z.array(z.string()).default([]),
  dump: PlanDump,
  schedule: z.object({ cron: z.string(), timeZone: z.string() }),
  retention: z.object({ keepLast: z.number(), daily: z.number(), weekly: z.number(), monthly: z.number(), yearly: z.number() }),
  alerts: z.object({
    webhook: z.object({ url: z.string() }).nullable(),
    email: z.object({ to: z.array(z.string()), smtp: z.object({ host: z.string(), port: z.number(), secure: z.boolean(), user: z.string().optional(), from: z.string() }) }).nullable(),
    onSuccess: z.boolean(),
    slowFactor: z.number().nullable(),
    stale: z.boolean(),
  }),
  copyTargetIds: z.array(z.string()).default([]),
});
type StoredSettings = z.infer<typeof StoredSettings>;

/** A plan as pages see it: whether secrets are set, never the secrets. */
export const PlanView = StoredSettings.extend({
  id: z.string(),
  name: z.string(),
  serverId: z.string(),
  serverName: z.string(),
  paused: z.boolean(),
  createdAt: z.date(),
  lastSlotAt: z.date().nullable(),
  webhookHasSecret: z.boolean(),
  smtpHasPassword: z.boolean(),
});
export type PlanView = z.infer<typeof PlanView>;

type Row = { id: string; name: string; serverId: string; paused: boolean; settings: string; createdAt: Date; lastSlotAt: Date | null; webhookSecretSealed: string; smtpPasswordSealed: string; server: { name: string } };
const SELECT = { id: true, name: true, serverId: true, paused: true, settings: true, createdAt: true, lastSlotAt: true, webhookSecretSealed: true, smtpPasswordSealed: true, server: { select: { name: true } } } as const;

function toView(row: Row): PlanView {
  return PlanView.parse({
    ...StoredSettings.parse(JSON.parse(row.settings)),
    id: row.id,
    name: row.name,
    serverId: row.serverId,
    serverName: row.server.name,
    paused: row.paused,
    createdAt: row.createdAt,
    lastSlotAt: row.lastSlotAt,
    webhookHasSecret: row.webhookSecretSealed !== '',
    smtpHasPassword: row.smtpPasswordSealed !== '',
  });
}

/** A plan refused: the first issue as BAD_OPTION (or its own code: BAD_CRON, UNKNOWN_TIME_ZONE, RETENTION_KEEPS_NOTHING), with every issue by field. */
export function planInputError(error: z.ZodError): ParadumpError {
  const issue = error.issues[0]!;
  const code = issueCode(issue) as 'BAD_OPTION';
  return new ParadumpError(code, `${issue.path.join('.')}: ${issue.message}`, { details: { path: issue.path.join('.'), issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: issueCode(i) })) } });
}

function toStored(plan: Plan): StoredSettings {
  const { webhook, email } = plan.alerts;
  return StoredSettings.parse({
    ...plan,
    alerts: {
      ...plan.alerts,
      webhook: webhook ? { url: webhook.url } : null,
      email: email ? { to: email.to, smtp: { host: email.smtp.host, port: email.smtp.port, secure: email.smtp.secure, user: email.smtp.user, from: email.smtp.from } } : null,
    },
  });
}

/**
 * An edit that changes the schedule, or un-pauses the plan, counts slots from now: the slots the new
 * schedule would have had since the last run (or those slept through while paused) were never due,
 * and folding them into a "missed while paradump was down" catch-up run would start a backup at once.
 */
function startsAfresh(existing: { settings: string; paused: boolean }, plan: Plan): boolean {
  const before = StoredSettings.shape.schedule.safeParse((JSON.parse(existing.settings) as { schedule?: unknown }).schedule);
  const moved = !before.success || before.data.cron !== plan.schedule.cron || before.data.timeZone !== plan.schedule.timeZone;
  return moved || (existing.paused && !plan.paused);
}

/**
 * Creates (no `id`) or replaces a plan. On edit, an empty webhook secret or SMTP password keeps the
 * saved one. Refusals are ParadumpErrors naming the field; nothing is saved then.
 */
export async function savePlan({ id, input }: { id?: string; input: PlanInput }): Promise<{ id: string }> {
  const prisma = getPrisma();
  const existing = id ? await prisma.plan.findUnique({ where: { id }, select: { id: true, webhookSecretSealed: true, smtpPasswordSealed: true, settings: true, paused: true } }) : null;
  if (id && !existing) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${id}`);
  const filled = structuredClone(input);
  if (existing && filled.alerts?.webhook && !filled.alerts.webhook.secret && existing.webhookSecretSealed) {
    filled.alerts.webhook.secret = await openWebhookSecret({ planId: existing.id, sealed: existing.webhookSecretSealed });
  }
  if (existing && filled.alerts?.email?.smtp && !filled.alerts.email.smtp.password && existing.smtpPasswordSealed) {
    filled.alerts.email.smtp.password = await openSmtpPassword({ planId: existing.id, sealed: existing.smtpPasswordSealed });
  }
  const parsed = Plan.safeParse(filled);
  if (!parsed.success) throw planInputError(parsed.error);
  const plan = parsed.data;
  // The engine's own check of the dump options, as the backup form does before a run.
  const checked = DumpOptions.safeParse({ source: 'mysql://check@localhost', outDir: 'check', ...plan.dump, databases: plan.databases, tables: plan.tables, excludeTables: plan.excludeTables });
  if (!checked.success) throw new ParadumpError('BAD_OPTION', `${checked.error.issues[0]!.path.join('.')}: ${checked.error.issues[0]!.message}`);
  // The key file read and parsed now, so a plan never saves a key its backups could not use.
  if (plan.dump.encryptKeyFile) await keyIdOfFile({ keyFile: plan.dump.encryptKeyFile, field: 'dump.encryptKeyFile' });
  if (!(await prisma.server.findUnique({ where: { id: plan.serverId }, select: { id: true } }))) throw new ParadumpError('BAD_OPTION', 'serverId: Pick a server', { details: { path: 'serverId' } });
  const known = await prisma.storageTarget.count({ where: { id: { in: plan.copyTargetIds } } });
  if (known !== plan.copyTargetIds.length) throw new ParadumpError('BAD_OPTION', 'copyTargetIds: a storage target picked is no longer saved', { details: { path: 'copyTargetIds' } });
  const clash = await prisma.plan.findFirst({ where: { name: plan.name, ...(id ? { NOT: { id } } : {}) }, select: { id: true } });
  if (clash) throw new ParadumpError('PLAN_NAME_TAKEN', `name: a plan named "${plan.name}" exists`, { details: { path: 'name' } });
  const data = { name: plan.name, serverId: plan.serverId, paused: plan.paused, settings: JSON.stringify(toStored(plan)) };
  const row = existing
    ? await prisma.plan.update({ where: { id: existing.id }, data: { ...data, ...(startsAfresh(existing, plan) ? { lastSlotAt: new Date() } : {}) }, select: { id: true } })
    : await prisma.plan.create({ data: { ...data, lastSlotAt: new Date() }, select: { id: true } });
  // Sealed under the plan's id, so only once it has one.
  await prisma.plan.update({
    where: { id: row.id },
    data: {
      webhookSecretSealed: await sealWebhookSecret({ planId: row.id, secret: plan.alerts.webhook?.secret }),
      smtpPasswordSealed: await sealSmtpPassword({ planId: row.id, password: plan.alerts.email?.smtp.password }),
    },
  });
  return row;
}

export async function listPlans(): Promise<PlanView[]> {
  const rows = await getPrisma().plan.findMany({ select: SELECT, orderBy: { name: 'asc' } });
  return rows.map(toView);
}

export async function getPlanView({ id }: { id: string }): Promise<PlanView> {
  const row = await getPrisma().plan.findUnique({ where: { id }, select: SELECT });
  if (!row) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${id}`);
  return toView(row);
}

/** The plan with its secrets opened, for sending alerts in this process only. */
export async function loadPlanSecrets({ id }: { id: string }): Promise<{ webhookSecret: string; smtpPassword: string }> {
  const row = await getPrisma().plan.findUnique({ where: { id }, select: { webhookSecretSealed: true, smtpPasswordSealed: true } });
  if (!row) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${id}`);
  return {
    webhookSecret: await openWebhookSecret({ planId: id, sealed: row.webhookSecretSealed }),
    smtpPassword: await openSmtpPassword({ planId: id, sealed: row.smtpPasswordSealed }),
  };
}

export async function setPlanPaused({ id, paused }: { id: string; paused: boolean }): Promise<void> {
  // Resuming a paused plan does not catch up on the slots it slept through.
  const { count } = await getPrisma().plan.updateMany({ where: { id }, data: paused ? { paused } : { paused, lastSlotAt: new Date() } });
  if (count === 0) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${id}`);
}

/** Deletes the plan and its log; its backups stay (as hand-made ones). */
export async function deletePlan({ id }: { id: string }): Promise<void> {
  const { count } = await getPrisma().plan.deleteMany({ where: { id } });
  if (count === 0) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${id}`);
}

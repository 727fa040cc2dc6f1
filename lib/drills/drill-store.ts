import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { planInputError } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { DrillPolicy, drillDatabaseName, type DrillPolicyInput } from './drill-schema.ts';
import { partialBackupProblem } from './roll-forward.ts';

/** A plan's drill policy as the scheduler and pages see it. */
export interface StoredDrillPolicy {
  planId: string;
  policy: DrillPolicy;
  lastSlotAt: Date | null;
  createdAt: Date;
}

function toStored(row: { planId: string; settings: string; lastSlotAt: Date | null; createdAt: Date }): StoredDrillPolicy {
  return { planId: row.planId, policy: DrillPolicy.parse(JSON.parse(row.settings)), lastSlotAt: row.lastSlotAt, createdAt: row.createdAt };
}

/**
 * Creates or replaces the plan's drill policy. Refusals are ParadumpErrors naming the field (as the
 * plan form's are); nothing is saved then. A scratch server must be saved; the prefixed names must fit.
 */
export async function saveDrillPolicy({ planId, input }: { planId: string; input: DrillPolicyInput }): Promise<StoredDrillPolicy> {
  const prisma = getPrisma();
  if (!(await prisma.plan.findUnique({ where: { id: planId }, select: { id: true } }))) throw new ParadumpError('PLAN_NOT_FOUND', `no plan ${planId}`);
  const parsed = DrillPolicy.safeParse(input);
  if (!parsed.success) throw planInputError(parsed.error);
  const policy = parsed.data;
  if (policy.target.kind === 'server' && !(await prisma.server.findUnique({ where: { id: policy.target.serverId }, select: { id: true } }))) {
    throw new ParadumpError('BAD_OPTION', 'target.serverId: Pick the scratch server', { details: { path: 'target.serverId' } });
  }
  if (policy.rollForward) {
    const plan = await prisma.plan.findUniqueOrThrow({ where: { id: planId }, select: { settings: true } });
    const settings = JSON.parse(plan.settings) as { dump?: { lock?: string }; tables?: string[]; excludeTables?: string[] };
    // Refused now rather than at every drill (the drill checks its backup again: the plan may change).
    if (settings.dump?.lock === 'none') throw new ParadumpError('BAD_OPTION', 'rollForward: the plan’s backups are taken with “no locks”: they have no binary log position to roll forward from', { details: { path: 'rollForward' } });
    const partial = partialBackupProblem({ tables: settings.tables ?? [], excludeTables: settings.excludeTables ?? [] });
    if (partial) throw new ParadumpError('BAD_OPTION', `rollForward: ${partial}`, { details: { path: 'rollForward' } });
  }
  // Database names are at most 64 characters: say so now rather than at the first drill.
  const longest = drillDatabaseName({ prefix: policy.prefix, database: 'x'.repeat(64 - policy.prefix.length) });
  if (longest.length > 64) throw new ParadumpError('BAD_OPTION', 'prefix: too long', { details: { path: 'prefix' } });
  const settings = JSON.stringify(policy);
  const row = await prisma.drillPolicy.upsert({ where: { planId }, create: { planId, settings }, update: { settings } });
  return toStored(row);
}

export async function getDrillPolicy({ planId }: { planId: string }): Promise<StoredDrillPolicy | null> {
  const row = await getPrisma().drillPolicy.findUnique({ where: { planId } });
  return row ? toStored(row) : null;
}

export async function listDrillPolicies(): Promise<StoredDrillPolicy[]> {
  return (await getPrisma().drillPolicy.findMany({ orderBy: { planId: 'asc' } })).map(toStored);
}

export async function deleteDrillPolicy({ planId }: { planId: string }): Promise<void> {
  await getPrisma().drillPolicy.deleteMany({ where: { planId } });
}

/** The chunk a drill's failure is about. */
export const FailedChunk = z.object({ database: z.string(), table: z.string(), index: z.number().int(), file: z.string().nullable(), range: z.string().nullable() });
export type FailedChunk = z.infer<typeof FailedChunk>;

/** One user check as it ran. */
export const CheckResult = z.object({
  name: z.string(),
  sql: z.string(),
  compare: z.string(),
  expected: z.string(),
  /** The first column of the first row as text; null when the query failed or returned nothing. */
  actual: z.string().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  durationMs: z.number(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const DrillTarget = z.object({
  kind: z.enum(['throwaway', 'server']),
  serverId: z.string().nullable().default(null),
  serverName: z.string().nullable().default(null),
  port: z.number().int().nullable().default(null),
  /** The throwaway mariadbd's PID, while it runs. */
  pid: z.number().int().nullable().default(null),
  /**
   * The roll forward keeps its progress in the target's `paradump_recovery`: true when that database
   * was not there before the drill, so the clean-up drops it again (once no other replay's row is in it).
   */
  newRecoveryDatabase: z.boolean().default(false),
});
export type DrillTarget = z.infer<typeof DrillTarget>;

/** Where a drill's roll forward got to. */
export const RollForward = z.object({
  /** The stop point: the drill's start, to the whole second (transactions logged before it). */
  until: z.string(),
  transactions: z.number().int(),
  durationMs: z.number(),
  /** The last replayed transaction: its end in the source's binary log and when the source logged it; null when none was replayed. */
  last: z.object({ file: z.string(), position: z.number(), gtid: z.string().nullable(), at: z.string().nullable() }).nullable(),
});
export type RollForward = z.infer<typeof RollForward>;

/** queued: waiting for a worker (with PARADUMP_REDIS_URL); in the dashboard's own process a drill is running from the start. */
export const DrillStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type DrillStatus = z.infer<typeof DrillStatus>;

/** A drill as pages and alerts see it. */
export const DrillView = z.object({
  id: z.string(),
  planId: z.string(),
  sourceRunId: z.string().nullable(),
  status: DrillStatus,
  trigger: z.enum(['schedule', 'backups', 'manual']),
  /** Null until the drill has its target (a refusal before that has none). */
  target: DrillTarget.nullable(),
  databases: z.array(z.string()),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  restoreMs: z.number().nullable(),
  verifyMs: z.number().nullable(),
  checksMs: z.number().nullable(),
  recoveryPoint: z.date().nullable(),
  rows: z.number(),
  bytes: z.number(),
  chunks: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  failedChunk: FailedChunk.nullable(),
  checks: z.array(CheckResult),
  leftovers: z.string().nullable(),
  /** Null without the policy's roll forward (or when the drill failed before it). */
  rollForward: RollForward.nullable(),
  heartbeatAt: z.date().nullable(),
});
export type DrillView = z.infer<typeof DrillView>;

/** The drill's recovery time: the restore, and the roll forward when there was one (a real recovery does both). */
export function recoveryTimeMs(drill: Pick<DrillView, 'restoreMs' | 'rollForward'>): number | null {
  if (drill.restoreMs === null) return null;
  return drill.restoreMs + (drill.rollForward?.durationMs ?? 0);
}

type DrillRow = NonNullable<Awaited<ReturnType<ReturnType<typeof getPrisma>['drill']['findUnique']>>>;

export function toDrillView(row: DrillRow): DrillView {
  return DrillView.parse({
    ...row,
    target: row.target === '{}' ? null : DrillTarget.parse(JSON.parse(row.target)),
    databases: JSON.parse(row.databases),
    rows: Number(row.rows),
    bytes: Number(row.bytes),
    failedChunk: row.failedChunk ? JSON.parse(row.failedChunk) : null,
    checks: JSON.parse(row.checks),
    rollForward: row.rollForward ? JSON.parse(row.rollForward) : null,
  });
}

export async function getDrill({ id }: { id: string }): Promise<DrillView> {
  const row = await getPrisma().drill.findUnique({ where: { id } });
  if (!row) throw new ParadumpError('DRILL_NOT_FOUND', `no drill ${id}`);
  return toDrillView(row);
}

/** The plan's drills, newest first. */
export async function listDrills({ planId, limit = 30 }: { planId: string; limit?: number }): Promise<DrillView[]> {
  const rows = await getPrisma().drill.findMany({ where: { planId }, orderBy: { startedAt: 'desc' }, take: limit });
  return rows.map(toDrillView);
}

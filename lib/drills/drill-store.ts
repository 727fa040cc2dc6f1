import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { planInputError } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { DrillPolicy, drillDatabaseName, type DrillPolicyInput } from './drill-schema.ts';

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
});
export type DrillTarget = z.infer<typeof DrillTarget>;

export const DrillStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
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
});
export type DrillView = z.infer<typeof DrillView>;

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

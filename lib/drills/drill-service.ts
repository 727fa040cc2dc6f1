import { isParadumpError, ParadumpError } from '../core/errors.ts';
import { decideDrillAlerts } from '../plans/decide-alerts.ts';
import { writePlanLog } from '../plans/plan-log.ts';
import { getPlanView } from '../plans/plan-store.ts';
import { sendPlanAlert, type AlertOptions } from '../plans/send-plan-alert.ts';
import { registerAttemptHandler, runExecutor, type Attempt, type AttemptContext } from '../runs/run-executor.ts';
import { serverAddress } from '../runs/servers.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillDue } from './drill-due.ts';
import { keepDrillAlive, STALE_MS } from './drill-heartbeat.ts';
import { abortDrill, addRunningDrill, drillsIdle, isDrillRunningHere, isPlanDrilling, reservePlanDrill } from './drill-registry.ts';
import { DrillTarget, getDrillPolicy, listDrillPolicies } from './drill-store.ts';
import { dropDrillDatabases } from './drill-target.ts';
import type { DrillPolicy } from './drill-schema.ts';
import { createDrillRecord, runDrill, type DrillTrigger } from './run-drill.ts';

const TRIGGER_WORDS: Record<DrillTrigger, string> = { schedule: 'scheduled', backups: 'after the plan’s backups', manual: 'run drill now' };

/**
 * Starts a drill of the plan in the background: its record first (so retention keeps the backup
 * it reads), then the drill through the run executor (in this process, or queued for a worker); a
 * failed one alerts through the plan's channels. One drill per plan at a time (DRILL_RUNNING).
 */
export async function startDrill({ planId, trigger, alertOptions }: { planId: string; trigger: DrillTrigger; alertOptions?: AlertOptions }): Promise<{ id: string; finished: Promise<void> }> {
  const release = reservePlanDrill(planId);
  if (!release) throw new ParadumpError('DRILL_RUNNING', 'a drill of this plan is already running');
  try {
    const stored = await getDrillPolicy({ planId });
    if (!stored) throw new ParadumpError('BAD_OPTION', 'this plan has no restore drill policy: save one first', { details: { path: 'drill' } });
    if (await runningElsewhere({ planId })) throw new ParadumpError('DRILL_RUNNING', 'a drill of this plan is already running');
    const executor = runExecutor();
    const { id, sourceRunId } = await createDrillRecord({ planId, trigger, status: executor.mode === 'queue' ? 'queued' : 'running' });
    await writePlanLog({ planId, kind: 'drill', level: 'info', message: `Started restore drill ${id} (${TRIGGER_WORDS[trigger]}) of backup ${sourceRunId ?? '(none)'}` });
    if (alertOptions) drillAlertOptions.set(id, alertOptions);
    const serverId = stored.policy.target.kind === 'server' ? stored.policy.target.serverId : null;
    const { finished } = await executor.submit({ kind: 'drill', id, serverId, attempt: 0, priority: trigger === 'manual' ? 'manual' : 'scheduled' }).catch(async (error: unknown) => {
      drillAlertOptions.delete(id);
      await getPrisma().drill.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status: 'failed', finishedAt: new Date(), errorCode: isParadumpError(error) ? error.code : 'INTERNAL', errorMessage: error instanceof Error ? error.message : String(error) } });
      throw error;
    });
    return { id, finished };
  } finally {
    release();
  }
}

// Alert options (tests' transports) for drills started in this process, handed to their attempt.
const drillAlertOptions = new Map<string, AlertOptions>();

/**
 * One drill's attempt in this process (the dashboard's or a worker's). In the dashboard's process
 * its record is running from the start; on a worker it is claimed from `queued`. A drill is not
 * resumed: one whose worker died is declared interrupted by the scheduler (its throwaway server died
 * with it), so a job taken over finds nothing to run.
 */
export async function startDrillAttempt({ id }: { id: string }, context: AttemptContext): Promise<Attempt> {
  const prisma = getPrisma();
  const row = await prisma.drill.findUnique({ where: { id }, select: { planId: true, sourceRunId: true, status: true } });
  if (!row) throw new ParadumpError('RUN_NOT_FOUND', `no drill ${id}`);
  const inProcess = context.worker === null && !context.takeOver && row.status === 'running';
  if (!inProcess) {
    const claimed = await prisma.drill.updateMany({ where: { id, status: 'queued' }, data: { status: 'running', heartbeatAt: new Date() } });
    if (claimed.count !== 1) throw new ParadumpError('ALREADY_RUNNING', `drill ${id} is ${row.status}; it is not waiting to run`);
  }
  const alertOptions = drillAlertOptions.get(id);
  drillAlertOptions.delete(id);
  const stored = await getDrillPolicy({ planId: row.planId });
  const controller = new AbortController();
  if (!stored) {
    await prisma.drill.update({ where: { id }, data: { status: 'failed', finishedAt: new Date(), errorCode: 'BAD_OPTION', errorMessage: 'the plan has no restore drill policy any more' } });
    return { live: null, finished: Promise.resolve(), handBack: () => undefined, handedBack: false, cancel: () => undefined };
  }
  const stopBeating = keepDrillAlive({ id, controller });
  const finished = runAndAlert({ id, planId: row.planId, sourceRunId: row.sourceRunId, policy: stored.policy, controller, stopBeating, alertOptions });
  addRunningDrill({ id, planId: row.planId, controller, finished });
  // Handing a drill back would restore it all again elsewhere: it stops (cancelled) instead.
  return { live: null, finished, handBack: () => controller.abort(), handedBack: false, cancel: () => controller.abort() };
}

registerAttemptHandler('drill', startDrillAttempt);

/** Runs the drill; a failed one alerts through the plan's channels. Never rejects. */
async function runAndAlert({ id, planId, sourceRunId, policy, controller, stopBeating, alertOptions }: { id: string; planId: string; sourceRunId: string | null; policy: DrillPolicy; controller: AbortController; stopBeating: () => void; alertOptions?: AlertOptions }): Promise<void> {
  try {
    const outcome = await runDrill({ drillId: id, policy, signal: controller.signal }).finally(stopBeating);
    // Declared interrupted by another process meanwhile (this one looked dead): that one alerted.
    if (outcome.status === 'interrupted') return;
    const plan = await getPlanView({ id: planId });
    if (!plan.alerts.webhook && !plan.alerts.email) return;
    for (const type of decideDrillAlerts({ status: outcome.status })) {
      const row = await getPrisma().drill.findUniqueOrThrow({ where: { id }, select: { startedAt: true } });
      const chunk = outcome.failedChunk ? { database: outcome.failedChunk.database, table: outcome.failedChunk.table, index: outcome.failedChunk.index, file: outcome.failedChunk.file } : null;
      await sendPlanAlert({ planId, type, runId: sourceRunId, drill: { id, sourceRunId, startedAt: row.startedAt.toISOString(), error: { code: outcome.error?.code ?? 'INTERNAL', message: outcome.error?.message ?? '' }, chunk }, options: alertOptions });
    }
  } catch (error) {
    console.error(`paradump: restore drill ${id}`, error);
  }
}

/** A drill of the plan that another process over the same store is running (its heartbeat is fresh). */
async function runningElsewhere({ planId, now = new Date() }: { planId: string; now?: Date }): Promise<boolean> {
  // A queued one (waiting for a worker) has no heartbeat yet, and counts however long it waits.
  const fresh = await getPrisma().drill.count({ where: { planId, OR: [{ status: 'queued' }, { status: 'running', heartbeatAt: { gte: new Date(now.getTime() - STALE_MS) } }] } });
  return fresh > 0;
}

/**
 * Cancels a running drill: it stops loading, drops what it created and stops its server. Running in
 * another process (the scheduler's, the dashboard's), the cancel is asked through the store and that
 * process aborts it at its next heartbeat.
 */
export async function cancelDrill({ id }: { id: string }): Promise<void> {
  const prisma = getPrisma();
  const row = await prisma.drill.findUnique({ where: { id }, select: { status: true } });
  if (!row) throw new ParadumpError('DRILL_NOT_FOUND', `no drill ${id}`);
  if (abortDrill(id)) return;
  // Still waiting for a worker: cancelled here, and the worker that gets its job finds nothing to run.
  const queued = await prisma.drill.updateMany({ where: { id, status: 'queued' }, data: { status: 'cancelled', finishedAt: new Date(), errorCode: 'ABORTED', errorMessage: 'cancelled before a worker started it' } });
  if (queued.count === 1) return;
  const asked = await prisma.drill.updateMany({ where: { id, status: 'running' }, data: { cancelAskedAt: new Date() } });
  if (asked.count === 0) throw new ParadumpError('NOT_RUNNING', `drill ${id} is not running`);
}

/** Good backups of the plan finished since its last drill started (or since the policy was saved). */
async function goodBackupsSince({ planId, createdAt }: { planId: string; createdAt: Date }): Promise<number> {
  const prisma = getPrisma();
  const last = await prisma.drill.findFirst({ where: { planId }, orderBy: { startedAt: 'desc' }, select: { startedAt: true } });
  const since = last && last.startedAt > createdAt ? last.startedAt : createdAt;
  return prisma.run.count({ where: { planId, kind: 'dump', status: 'succeeded', finishedAt: { gt: since } } });
}

/** One scheduler pass: every due drill is claimed (a conditional update, as plans' slots) and started. */
export async function drillPass({ now = new Date(), alertOptions }: { now?: Date; alertOptions?: AlertOptions } = {}): Promise<string[]> {
  const started: string[] = [];
  // Every pass, not only at start-up: a drill whose process died (another one over the same store) is found too.
  await finishInterruptedDrills({ alertOptions });
  for (const stored of await listDrillPolicies()) {
    if (!stored.policy.enabled || isPlanDrilling(stored.planId)) continue;
    const count = stored.policy.trigger.kind === 'backups' ? await goodBackupsSince(stored) : 0;
    const due = drillDue({ policy: stored.policy, lastSlotAt: stored.lastSlotAt, createdAt: stored.createdAt, goodBackupsSince: count, now });
    if (!due) continue;
    const claimed = await getPrisma().drillPolicy.updateMany({ where: { planId: stored.planId, lastSlotAt: stored.lastSlotAt }, data: { lastSlotAt: due.slot } });
    if (claimed.count !== 1) continue;
    try {
      started.push((await startDrill({ planId: stored.planId, trigger: stored.policy.trigger.kind, alertOptions })).id);
    } catch (error) {
      await writePlanLog({ planId: stored.planId, kind: 'drill', level: 'error', code: (error as { code?: string }).code ?? 'INTERNAL', message: `Could not start the restore drill: ${(error as Error).message}` });
    }
  }
  return started;
}

/**
 * Drills whose process stopped: `running`, not in this process, and no heartbeat for `staleMs` (so
 * a drill another live process runs is left alone). Each is claimed with a conditional update (two
 * processes never both handle one), marked interrupted (which alerts and reddens the badge, as a
 * failure), and on a saved scratch server the databases it created are dropped. A throwaway server
 * died with its process (lib/sandbox kills it on exit).
 */
export async function finishInterruptedDrills({ alertOptions, staleMs = STALE_MS, now = new Date() }: { alertOptions?: AlertOptions; staleMs?: number; now?: Date } = {}): Promise<string[]> {
  const prisma = getPrisma();
  const before = new Date(now.getTime() - staleMs);
  const candidates = await prisma.drill.findMany({
    where: { status: 'running', OR: [{ heartbeatAt: { lt: before } }, { heartbeatAt: null, startedAt: { lt: before } }] },
    select: { id: true, planId: true, target: true, databases: true, sourceRunId: true, startedAt: true, heartbeatAt: true },
  });
  const message = 'the process running the drill stopped before it finished';
  const rows = [];
  for (const row of candidates) {
    if (isDrillRunningHere(row.id)) continue;
    const claimed = await prisma.drill.updateMany({ where: { id: row.id, status: 'running', heartbeatAt: row.heartbeatAt }, data: { status: 'interrupted', finishedAt: new Date(), errorCode: 'INTERRUPTED', errorMessage: message } });
    if (claimed.count === 1) rows.push(row);
  }
  for (const row of rows) {
    const parsed = DrillTarget.safeParse(JSON.parse(row.target));
    const target = parsed.success ? parsed.data : null;
    const names = JSON.parse(row.databases) as string[];
    let left: string[] = [];
    if (target?.kind === 'server' && target.serverId && names.length) {
      left = await serverAddress({ id: target.serverId }).then(({ address }) => dropDrillDatabases({ address, names, newRecoveryDatabase: target.newRecoveryDatabase }), (e: unknown) => names.map((n) => `${n} (${(e as Error).message})`));
    }
    if (left.length) await prisma.drill.update({ where: { id: row.id }, data: { leftovers: left.join('; ') } });
    await writePlanLog({ planId: row.planId, kind: 'drill', level: 'error', code: 'INTERRUPTED', message: `Restore drill ${row.id} was interrupted: ${message}${left.length ? `; could not drop ${left.join('; ')}` : ''}` });
    const plan = await getPlanView({ id: row.planId }).catch(() => null);
    if (plan && (plan.alerts.webhook || plan.alerts.email)) {
      await sendPlanAlert({ planId: row.planId, type: 'drill-failed', drill: { id: row.id, sourceRunId: row.sourceRunId, startedAt: row.startedAt.toISOString(), error: { code: 'INTERRUPTED', message }, chunk: null }, options: alertOptions }).catch(() => undefined);
    }
  }
  return rows.map((r) => r.id);
}

export interface DrillService {
  name: string;
  stop(): Promise<void>;
}

const globalForService = globalThis as typeof globalThis & { paradumpDrillService?: DrillService };

/**
 * Starts the process's drill scheduler (once), beside the plan scheduler: finishes drills the last
 * process left running, then checks every `tickMs` for due drills.
 */
export async function startDrillService({ tickMs = 1_000, alertOptions }: { tickMs?: number; alertOptions?: AlertOptions } = {}): Promise<DrillService> {
  if (globalForService.paradumpDrillService) return globalForService.paradumpDrillService;
  let passing: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    passing ??= drillPass({ alertOptions })
      .catch((error: unknown) => console.error('paradump: drill scheduler pass failed', error))
      .finally(() => (passing = null));
  }, tickMs);
  const service: DrillService = {
    name: 'restore drill scheduler',
    stop: async () => {
      clearInterval(timer);
      if (globalForService.paradumpDrillService === service) globalForService.paradumpDrillService = undefined;
      await passing;
      await drillsIdle();
    },
  };
  globalForService.paradumpDrillService = service;
  await finishInterruptedDrills({ alertOptions });
  return service;
}

/** "Run drill now". */
export async function runDrillNow({ planId }: { planId: string }): Promise<{ id: string }> {
  const { id } = await startDrill({ planId, trigger: 'manual' });
  return { id };
}

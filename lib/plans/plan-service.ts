import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';
import { resumeRun } from '../runs/control-run.ts';
import { getLiveRun } from '../runs/registry.ts';
import { defaultDumpRoot, startDump } from '../runs/start-dump.ts';
import { getPrisma } from '../store/prisma.ts';
import { afterPlanRun, checkStale } from './after-plan-run.ts';
import { finishHalfDeleted } from './apply-retention.ts';
import { concurrencyFromEnv, PlanScheduler, type SchedulablePlan, type SchedulerDeps } from './plan-scheduler.ts';
import { writePlanLog } from './plan-log.ts';
import { planTrigger } from './plan-trigger.ts';
import { getPlanView, listPlans, type PlanView } from './plan-store.ts';
import { sendPlanAlert, type AlertOptions } from './send-plan-alert.ts';

const REASON_WORDS = { schedule: 'scheduled', 'catch-up': 'catch-up (missed while paradump was not running)', manual: 'run now' } as const;

/** A folder per run: plan name and time to the millisecond, plus a few random characters, as two runs may start in one second. */
function planOutDir({ planName, now = new Date() }: { planName: string; now?: Date }): string {
  const slug = planName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'plan';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '').slice(0, 18);
  return path.join(defaultDumpRoot(), `plan-${slug}-${stamp}-${randomBytes(2).toString('hex')}`);
}

function schedulable(plan: PlanView): SchedulablePlan {
  return { id: plan.id, serverId: plan.serverId, schedule: plan.schedule, paused: plan.paused, lastSlotAt: plan.lastSlotAt, createdAt: plan.createdAt };
}

/** The scheduler's world in this process: the store, the run engine, the clock. */
function storeDeps({ alertOptions }: { alertOptions?: AlertOptions }): SchedulerDeps {
  const prisma = getPrisma;
  return {
    now: () => new Date(),
    listPlans: async () => (await listPlans()).map(schedulable),
    markSlot: async (planId, slot, previous) => (await prisma().plan.updateMany({ where: { id: planId, lastSlotAt: previous }, data: { lastSlotAt: slot } })).count === 1,
    log: ({ planId, level, code, message }) => writePlanLog({ planId, kind: 'schedule', level, code, message }),
    startRun: async (plan, { slot, reason }) => {
      const view = await getPlanView({ id: plan.id });
      const { id, finished } = await startDump({
        serverId: view.serverId,
        databases: view.databases,
        tables: view.tables,
        excludeTables: view.excludeTables,
        ...view.dump,
        outDir: planOutDir({ planName: view.name }),
        plan: { id: plan.id, scheduledFor: slot },
      }).catch(async (error: unknown) => {
        // Refused before a run existed (server gone, key lost): still the plan's failure to alert on.
        if (view.alerts.webhook || view.alerts.email) await sendPlanAlert({ planId: plan.id, type: 'failure', options: alertOptions }).catch(() => undefined);
        throw error;
      });
      await writePlanLog({ planId: plan.id, runId: id, kind: 'schedule', level: 'info', message: `Started backup ${id} (${REASON_WORDS[reason]}${slot ? `, due at ${slot.toISOString()}` : ''})` });
      return { runId: id, finished: finished.then(() => afterPlanRun({ planId: plan.id, runId: id, alertOptions })).catch((error: unknown) => console.error(`paradump: after plan run ${id}`, error)) };
    },
  };
}

export interface PlanService {
  scheduler: PlanScheduler;
  stop(): Promise<void>;
}

// One per process on globalThis: instrumentation, route handlers and server actions may each load
// their own copy of this module, and two schedulers would start every plan twice.
const globalForPlans = globalThis as typeof globalThis & { paradumpPlanService?: PlanService };

export function getPlanService(): PlanService | undefined {
  return globalForPlans.paradumpPlanService;
}

/** Plans' runs the last shutdown interrupted: resumed (the engine keeps their verified chunks). */
async function resumeInterrupted(scheduler: PlanScheduler, alertOptions: AlertOptions | undefined): Promise<void> {
  const runs = await getPrisma().run.findMany({ where: { planId: { not: null }, kind: 'dump', status: 'interrupted' }, select: { id: true, planId: true } });
  for (const run of runs) {
    const planId = run.planId!;
    try {
      await resumeRun({ id: run.id });
      const live = getLiveRun(run.id);
      await writePlanLog({ planId, runId: run.id, kind: 'schedule', level: 'info', code: 'INTERRUPTED', message: `Resumed backup ${run.id}, interrupted by the last shutdown` });
      if (live) scheduler.adopt({ plan: schedulable(await getPlanView({ id: planId })), runId: run.id, finished: live.finished.then(() => afterPlanRun({ planId, runId: run.id, alertOptions })) });
    } catch (error) {
      await writePlanLog({ planId, runId: run.id, kind: 'schedule', level: 'error', code: (error as { code?: string }).code ?? 'INTERNAL', message: `Could not resume backup ${run.id}: ${(error as Error).message}` });
    }
  }
}

/**
 * Starts the process's plan scheduler (once): resumes plans' interrupted runs, finishes half-done
 * deletions, then checks every `tickMs` for due plans and stale ones.
 */
export async function startPlanService({ tickMs = 1_000, concurrency = concurrencyFromEnv(process.env.PARADUMP_PLAN_CONCURRENCY), alertOptions }: { tickMs?: number; concurrency?: number; alertOptions?: AlertOptions } = {}): Promise<PlanService> {
  const existing = globalForPlans.paradumpPlanService;
  if (existing) return existing;
  const deps = storeDeps({ alertOptions });
  const scheduler = new PlanScheduler({ deps, concurrency });
  let stopped = false;
  let staleCheck = 0;
  // With a trigger (BullMQ job schedulers) the slots come from Redis: this timer only keeps the
  // schedules in step with the plans (a saved change reaches Redis within a tick) and checks
  // staleness. Without one it is the scheduler's clock.
  const trigger = await planTrigger()?.start({ due: () => scheduler.tick(), plans: deps.listPlans });
  const loop = async () => {
    try {
      if (trigger) await trigger.sync();
      else await scheduler.tick();
      // Stale is a slow question: once a minute is plenty.
      if (Date.now() - staleCheck > 60_000) {
        staleCheck = Date.now();
        for (const plan of await listPlans()) await checkStale({ plan, alertOptions });
      }
    } catch (error) {
      console.error('paradump: plan scheduler pass failed', error);
    }
  };
  const timer = setInterval(() => void loop(), tickMs);
  const service: PlanService = {
    scheduler,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (globalForPlans.paradumpPlanService === service) globalForPlans.paradumpPlanService = undefined;
      await trigger?.stop();
      await scheduler.idle();
    },
  };
  globalForPlans.paradumpPlanService = service;
  await finishHalfDeleted();
  await resumeInterrupted(scheduler, alertOptions);
  // Slots missed while no process ran: one catch-up pass now (job schedulers only fire the next slot).
  if (trigger) await scheduler.tick();
  return service;
}

/** "Run now": through the scheduler (its queue and no-overlap). */
export async function runPlanNow({ id }: { id: string }): Promise<void> {
  const service = getPlanService();
  if (!service) throw new ParadumpError('INTERNAL', 'the plan scheduler is not running in this process (PARADUMP_SCHEDULER=off?)');
  const plan = await getPlanView({ id });
  if (service.scheduler.isBusy(id)) throw new ParadumpError('SKIPPED_OVERLAP', `plan "${plan.name}" is already running or queued`);
  await writePlanLog({ planId: id, kind: 'schedule', level: 'info', message: 'Run now requested' });
  if (!(await service.scheduler.runNow(schedulable(plan)))) throw new ParadumpError('SKIPPED_OVERLAP', `plan "${plan.name}" is already running or queued`);
}

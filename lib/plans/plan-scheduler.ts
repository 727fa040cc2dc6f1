import { ParadumpError } from '../core/errors.ts';
import type { PlanSchedule } from './plan-schema.ts';
import { dueSlot, MISSED_COUNT_LIMIT } from './due-slot.ts';

/**
 * PARADUMP_PLAN_CONCURRENCY: how many plans of one source server run at once (unset: 1). A value that
 * is not a whole number from 1 to 64 is refused by name rather than quietly read as 1.
 */
export function concurrencyFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ParadumpError('BAD_OPTION', `PARADUMP_PLAN_CONCURRENCY must be a whole number from 1 to 64, got "${value}"`);
  return n;
}

/** What the scheduler needs to know of a plan. */
export interface SchedulablePlan {
  id: string;
  serverId: string;
  schedule: PlanSchedule;
  paused: boolean;
  lastSlotAt: Date | null;
  createdAt: Date;
}

export type RunReason = 'schedule' | 'catch-up' | 'manual';

export interface SchedulerLogEntry {
  planId: string;
  level: 'info' | 'warning' | 'error';
  code: string | null;
  message: string;
}

/** The world the scheduler acts on, injected so that tests drive it with a fake clock and store. */
export interface SchedulerDeps {
  now(): Date;
  listPlans(): Promise<SchedulablePlan[]>;
  /**
   * Claims the slot (started, queued or skipped): it is never handled again, across restarts, and of
   * two schedulers on one store (the app and `paradump scheduler`) only one claims it. False: taken.
   */
  markSlot(planId: string, slot: Date, previous: Date | null): Promise<boolean>;
  /** Starts a backup of the plan; resolves with its run id once running, `finished` when it ends (any status). */
  startRun(plan: SchedulablePlan, job: { slot: Date | null; reason: RunReason }): Promise<{ runId: string; finished: Promise<unknown> }>;
  log(entry: SchedulerLogEntry): Promise<void>;
}

interface Job {
  plan: SchedulablePlan;
  slot: Date | null;
  reason: RunReason;
}

/**
 * Decides which plans are due and starts them, at most `concurrency` at a time per source server
 * (the rest wait in order). A plan never overlaps itself: a slot that comes while the plan's run is
 * queued or going is skipped, and the skip is logged.
 */
export class PlanScheduler {
  readonly concurrency: number;
  private readonly deps: SchedulerDeps;
  /** Plans with a run queued or going: plan id → run id (null while queued). */
  private readonly busy = new Map<string, string | null>();
  private readonly queue: Job[] = [];
  private readonly activePerServer = new Map<string, number>();
  private readonly finishing = new Set<Promise<unknown>>();
  private ticking: Promise<void> | null = null;

  constructor({ deps, concurrency = 1 }: { deps: SchedulerDeps; concurrency?: number }) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be an integer of at least 1');
    this.deps = deps;
    this.concurrency = concurrency;
  }

  isBusy(planId: string): boolean {
    return this.busy.has(planId);
  }

  /** Run ids of the plans' runs now going. */
  activeRuns(): string[] {
    return [...this.busy.values()].filter((id): id is string => id !== null);
  }

  /** One pass: every due plan is queued (or its slot skipped). Passes never overlap each other. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async pass(): Promise<void> {
    const now = this.deps.now();
    for (const plan of await this.deps.listPlans()) {
      if (plan.paused) continue;
      const due = dueSlot({ schedule: plan.schedule, lastSlotAt: plan.lastSlotAt, createdAt: plan.createdAt, now });
      if (!due) continue;
      if (!(await this.deps.markSlot(plan.id, due.slot, plan.lastSlotAt))) continue;
      if (this.busy.has(plan.id)) {
        await this.deps.log({ planId: plan.id, level: 'warning', code: 'SKIPPED_OVERLAP', message: `Skipped the run due at ${due.slot.toISOString()}: the previous run is still ${this.busy.get(plan.id) ? 'going' : 'queued'}` });
        continue;
      }
      if (due.missed > 0) {
        await this.deps.log({ planId: plan.id, level: 'warning', code: null, message: `${due.missed >= MISSED_COUNT_LIMIT ? `More than ${MISSED_COUNT_LIMIT}` : due.missed + 1} runs were due while paradump was not running; starting one catch-up run now` });
      }
      this.enqueue({ plan, slot: due.slot, reason: due.missed > 0 ? 'catch-up' : 'schedule' });
    }
    await this.drain();
  }

  /** "Run now": queued like a scheduled run (same concurrency, same no-overlap). False when the plan is busy. */
  async runNow(plan: SchedulablePlan): Promise<boolean> {
    if (this.busy.has(plan.id)) return false;
    this.enqueue({ plan, slot: null, reason: 'manual' });
    await this.drain();
    return true;
  }

  /** A run the scheduler did not start itself (a resumed one) counts as the plan's run until it ends. */
  adopt({ plan, runId, finished }: { plan: SchedulablePlan; runId: string; finished: Promise<unknown> }): void {
    this.busy.set(plan.id, runId);
    this.activePerServer.set(plan.serverId, (this.activePerServer.get(plan.serverId) ?? 0) + 1);
    this.track(plan, finished);
  }

  /** Resolves once nothing is queued or going (for tests and a clean stop). */
  async idle(): Promise<void> {
    while (this.finishing.size > 0 || this.queue.length > 0 || this.ticking) {
      const waits: Promise<unknown>[] = [...this.finishing];
      if (this.ticking) waits.push(this.ticking);
      // A job being launched is in neither: give it a turn of the event loop rather than spin.
      if (waits.length === 0) waits.push(new Promise((resolve) => setImmediate(resolve)));
      await Promise.race(waits);
      await this.drain();
    }
  }

  private enqueue(job: Job): void {
    this.busy.set(job.plan.id, null);
    this.queue.push(job);
  }

  private async drain(): Promise<void> {
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i]!;
      if ((this.activePerServer.get(job.plan.serverId) ?? 0) >= this.concurrency) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      await this.launch(job);
    }
  }

  private async launch(job: Job): Promise<void> {
    const { plan } = job;
    this.activePerServer.set(plan.serverId, (this.activePerServer.get(plan.serverId) ?? 0) + 1);
    try {
      const { runId, finished } = await this.deps.startRun(plan, { slot: job.slot, reason: job.reason });
      this.busy.set(plan.id, runId);
      this.track(plan, finished);
    } catch (error) {
      // A run that cannot even start (server deleted, key lost) is the plan's failure, logged; the next slot tries again.
      this.release(plan);
      const code = typeof error === 'object' && error && 'code' in error && typeof error.code === 'string' ? error.code : 'INTERNAL';
      await this.deps.log({ planId: plan.id, level: 'error', code, message: `Could not start the backup: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private track(plan: SchedulablePlan, finished: Promise<unknown>): void {
    const done: Promise<unknown> = finished
      .catch(() => undefined)
      .then(() => {
        this.finishing.delete(done);
        this.release(plan);
        return this.drain();
      });
    this.finishing.add(done);
  }

  private release(plan: SchedulablePlan): void {
    this.busy.delete(plan.id);
    const n = (this.activePerServer.get(plan.serverId) ?? 1) - 1;
    if (n <= 0) this.activePerServer.delete(plan.serverId);
    else this.activePerServer.set(plan.serverId, n);
  }
}

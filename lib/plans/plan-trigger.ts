import type { SchedulablePlan } from './plan-scheduler.ts';

/** A started trigger: `sync` brings its schedules in step with the plans (saved, paused, deleted). */
export interface PlanTriggerHandle {
  sync(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What wakes the plan scheduler. Without one (the embedded default) the plan service checks every
 * second on its own timer; with workers (lib/workers/plan-schedulers.ts) BullMQ job schedulers fire
 * at the plans' cron slots and `due` runs the scheduler's pass (which still claims each slot in the
 * store once, counts missed ones, and never overlaps a plan with itself).
 */
export interface PlanTrigger {
  start(input: { due: () => Promise<void>; plans: () => Promise<SchedulablePlan[]> }): Promise<PlanTriggerHandle>;
}

const globalForTrigger = globalThis as typeof globalThis & { paradumpPlanTrigger?: PlanTrigger };

export function planTrigger(): PlanTrigger | undefined {
  return globalForTrigger.paradumpPlanTrigger;
}

/** Installed at start-up, before the plan service starts (lib/workers/install.ts, from PARADUMP_REDIS_URL). */
export function setPlanTrigger(trigger: PlanTrigger | undefined): void {
  globalForTrigger.paradumpPlanTrigger = trigger;
}

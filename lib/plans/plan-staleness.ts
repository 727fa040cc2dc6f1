import { isStale } from './decide-alerts.ts';
import type { PlanSchedule } from './plan-schema.ts';
import { expectedInterval } from './schedule.ts';

/** A paused plan is never stale (nobody expects it to run); otherwise the plans' stale rule over its schedule's interval. */
export function planIsStale({ plan, lastGoodAt, now }: { plan: { paused: boolean; createdAt: Date; schedule: PlanSchedule }; lastGoodAt: Date | null; now: Date }): boolean {
  return !plan.paused && isStale({ lastGoodAt, createdAt: plan.createdAt, intervalMs: expectedInterval({ schedule: plan.schedule, from: now }), now });
}

/** The Plans page's and the overview's order: stale plans first, then by name. A sorted copy. */
export function stalePlansFirst<T extends { stale: boolean; plan: { name: string } }>(summaries: readonly T[]): T[] {
  return [...summaries].sort((a, b) => Number(b.stale) - Number(a.stale) || a.plan.name.localeCompare(b.plan.name));
}

export type PlanBadgeState = 'stale' | 'running' | 'paused' | 'ok';

/** The plan badge: red `stale` whatever else is true, then running, paused, ok. */
export function planBadgeState(summary: { stale: boolean; busy: boolean; plan: { paused: boolean } }): PlanBadgeState {
  if (summary.stale) return 'stale';
  return summary.busy ? 'running' : summary.plan.paused ? 'paused' : 'ok';
}

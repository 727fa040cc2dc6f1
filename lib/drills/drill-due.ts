import { isStale } from '../plans/decide-alerts.ts';
import { dueSlot } from '../plans/due-slot.ts';
import type { PlanSchedule } from '../plans/plan-schema.ts';
import { expectedInterval } from '../plans/schedule.ts';
import type { DrillPolicy } from './drill-schema.ts';

/**
 * Whether a drill is due now. On its own schedule: the plans' due slot (missed slots folded into
 * one catch-up drill). After every Nth backup: once N good backups finished since the last drill
 * started (or since the policy was saved). Null: not due.
 */
export function drillDue({ policy, lastSlotAt, createdAt, goodBackupsSince, now }: { policy: DrillPolicy; lastSlotAt: Date | null; createdAt: Date; goodBackupsSince: number; now: Date }): { slot: Date; missed: number } | null {
  if (!policy.enabled) return null;
  if (policy.trigger.kind === 'schedule') return dueSlot({ schedule: policy.trigger.schedule, lastSlotAt, createdAt, now });
  return goodBackupsSince >= policy.trigger.every ? { slot: now, missed: 0 } : null;
}

/** How often the policy means a drill to happen: its schedule's interval, or N times the plan's. */
export function drillInterval({ policy, planSchedule, now }: { policy: DrillPolicy; planSchedule: PlanSchedule; now: Date }): number {
  if (policy.trigger.kind === 'schedule') return expectedInterval({ schedule: policy.trigger.schedule, from: now });
  return expectedInterval({ schedule: planSchedule, from: now }) * policy.trigger.every;
}

export type DrillHealthState = 'ok' | 'failed' | 'overdue' | 'never' | 'off';

/**
 * The drill badge: red when the last finished drill failed, or when the last proven restore is
 * older than the policy's interval plus a grace (the plans' stale rule), counted from the policy's
 * creation before the first one.
 */
export function drillHealth({ policy, planSchedule, lastFinished, lastProvenAt, createdAt, now }: { policy: DrillPolicy; planSchedule: PlanSchedule; lastFinished: { status: string } | null; lastProvenAt: Date | null; createdAt: Date; now: Date }): { state: DrillHealthState; red: boolean } {
  if (!policy.enabled) return { state: 'off', red: false };
  if (lastFinished && (lastFinished.status === 'failed' || lastFinished.status === 'interrupted')) return { state: 'failed', red: true };
  const overdue = isStale({ lastGoodAt: lastProvenAt, createdAt, intervalMs: drillInterval({ policy, planSchedule, now }), now });
  if (overdue) return { state: 'overdue', red: true };
  return { state: lastProvenAt ? 'ok' : 'never', red: false };
}

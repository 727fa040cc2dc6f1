import type { PlanSchedule } from './plan-schema.ts';
import { slotsBetween } from './schedule.ts';

export interface DueInput {
  schedule: PlanSchedule;
  /** The slot last handled; null for a plan that never ran (then slots count from its creation). */
  lastSlotAt: Date | null;
  createdAt: Date;
  now: Date;
}

/**
 * The slot due now, if any: the newest slot after the last one handled. Slots missed while the
 * process was down are folded into that one (`missed` says how many), so a restart after a week
 * away starts one catch-up run, not seven.
 */
export function dueSlot({ schedule, lastSlotAt, createdAt, now }: DueInput): { slot: Date; missed: number } | null {
  const since = lastSlotAt ?? createdAt;
  // Only the last two matter (is there one? more than one?); counting every missed minute of a long
  // outage would be slow, so the count is capped.
  const slots = slotsBetween({ schedule, since, until: now, limit: 100_000 });
  const slot = slots.at(-1);
  return slot ? { slot, missed: slots.length - 1 } : null;
}

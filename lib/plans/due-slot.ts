import type { PlanSchedule } from './plan-schema.ts';
import { newestSlotBefore, slotsBetween } from './schedule.ts';

export interface DueInput {
  schedule: PlanSchedule;
  /** The slot last handled; null for a plan that never ran (then slots count from its creation). */
  lastSlotAt: Date | null;
  createdAt: Date;
  now: Date;
}

/** Missed slots are counted up to this many (croner takes about 1 ms a slot in a time zone, on the event loop: counting a long outage of an every-minute plan would stall the app); past it the log says "more than". */
export const MISSED_COUNT_LIMIT = 100;

/**
 * The slot due now, if any: the newest slot after the last one handled. Slots missed while the
 * process was down are folded into that one (`missed` says how many, at most MISSED_COUNT_LIMIT), so
 * a restart after a week away starts one catch-up run, not seven.
 */
export function dueSlot({ schedule, lastSlotAt, createdAt, now }: DueInput): { slot: Date; missed: number } | null {
  const since = lastSlotAt ?? createdAt;
  // The newest slot is found directly (not as the last of a counted list): a count cut short after a
  // long outage of a frequent schedule would name an old slot, and the next pass would find another.
  const slot = newestSlotBefore({ schedule, at: now });
  if (!slot || slot.getTime() <= since.getTime()) return null;
  const missed = slotsBetween({ schedule, since, until: new Date(slot.getTime() - 1), limit: MISSED_COUNT_LIMIT }).length;
  return { slot, missed };
}

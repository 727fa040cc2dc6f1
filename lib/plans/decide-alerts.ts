import type { PlanAlerts } from './plan-schema.ts';

/** Good runs' durations this many back make "its usual time". */
export const SLOW_WINDOW = 10;
/** Fewer good runs than this and no run is called slow yet. */
export const SLOW_MIN_HISTORY = 3;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Which alerts a finished run raises: failure always (cancelled by hand is not a failure), success
 * when asked, slow when it took more than `slowFactor` × the median of the plan's earlier good runs.
 */
export function decideRunAlerts({ alerts, status, durationMs, earlierGoodDurations }: { alerts: Pick<PlanAlerts, 'onSuccess' | 'slowFactor'>; status: string; durationMs: number | null; earlierGoodDurations: number[] }): ('failure' | 'success' | 'slow')[] {
  if (status === 'failed' || status === 'interrupted') return ['failure'];
  if (status !== 'succeeded') return [];
  const out: ('failure' | 'success' | 'slow')[] = [];
  if (alerts.onSuccess) out.push('success');
  const usual = earlierGoodDurations.length >= SLOW_MIN_HISTORY ? median(earlierGoodDurations.slice(0, SLOW_WINDOW)) : null;
  if (alerts.slowFactor !== null && usual !== null && durationMs !== null && durationMs > usual * alerts.slowFactor) out.push('slow');
  return out;
}

/**
 * Stale: no good backup for longer than the schedule's interval plus a grace (a quarter of it, at
 * least a minute), counted from the newest good backup or, before the first, from the plan's creation.
 */
export function isStale({ lastGoodAt, createdAt, intervalMs, now }: { lastGoodAt: Date | null; createdAt: Date; intervalMs: number; now: Date }): boolean {
  const since = (lastGoodAt ?? createdAt).getTime();
  return now.getTime() - since > intervalMs + Math.max(intervalMs / 4, 60_000);
}

/** A drill that failed alerts (a cancelled one does not: someone stopped it on purpose). */
export function decideDrillAlerts({ status }: { status: string }): 'drill-failed'[] {
  return status === 'failed' || status === 'interrupted' ? ['drill-failed'] : [];
}

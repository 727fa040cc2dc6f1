import type { PlanSummary } from '@/lib/plans/plan-summaries.ts';
import { planBadgeState, type PlanBadgeState } from '@/lib/plans/plan-staleness.ts';

const BADGE_CLASS: Record<PlanBadgeState, string> = {
  stale: 'bg-red-600 text-white',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  paused: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
};

/** The plan's state at a glance: red when stale, whatever else is true (planBadgeState). */
export function PlanBadge({ summary }: { summary: Pick<PlanSummary, 'stale' | 'busy' | 'plan'> }) {
  const state = planBadgeState(summary);
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${BADGE_CLASS[state]}`}>{state}</span>;
}

/** `3 h 12 min ago`, for the last good backup's age. */
export function age(from: Date, now = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

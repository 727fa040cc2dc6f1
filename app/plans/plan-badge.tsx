import type { PlanSummary } from '@/lib/plans/plan-summaries.ts';

/** The plan's state at a glance: red when stale, whatever else is true. */
export function PlanBadge({ summary }: { summary: Pick<PlanSummary, 'stale' | 'busy' | 'plan'> }) {
  if (summary.stale) return <span className="rounded-full bg-red-600 px-2 py-0.5 text-xs font-medium text-white">stale</span>;
  if (summary.busy) return <span className="rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-800 dark:bg-sky-950 dark:text-sky-300">running</span>;
  if (summary.plan.paused) return <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">paused</span>;
  return <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">ok</span>;
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

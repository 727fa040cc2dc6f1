import type { ServerDrillSummary } from '@/lib/drills/drill-summaries.ts';
import { recoveryTimeMs } from '@/lib/drills/drill-store.ts';
import { formatDuration } from '../_lib/format.ts';
import { formatRecoveryPoint } from '../plans/drill-badge.tsx';
import { age } from '../plans/plan-badge.tsx';

/** A server's "last proven restore" over its plans' drills, and how many of those are red; nothing without a drill policy. */
export function ServerDrills({ summary }: { summary: ServerDrillSummary | undefined }) {
  if (!summary) return null;
  const proven = summary.lastProven;
  return (
    <p className="text-xs" data-testid="server-proven-restore">
      {proven ? (
        <>
          last proven restore: {age(proven.finishedAt ?? proven.startedAt)}, recovery time {formatDuration(recoveryTimeMs(proven) ?? 0)}
          {proven.recoveryPoint ? `, recovery point ${formatRecoveryPoint(proven.recoveryPoint)}` : ''} <span className="text-zinc-500">(plan {proven.planName})</span>
        </>
      ) : (
        <span className="text-zinc-500">no proven restore yet</span>
      )}
      {summary.red ? (
        <span className="ml-2 rounded-full bg-red-600 px-2 py-0.5 font-medium text-white">
          {summary.red} of {summary.plans} plan{summary.plans > 1 ? 's' : ''}: drill failed or overdue
        </span>
      ) : null}
    </p>
  );
}

import type { DrillSummary } from '@/lib/drills/drill-summaries.ts';
import { recoveryTimeMs } from '@/lib/drills/drill-store.ts';
import { formatDuration } from '../_lib/format.ts';
import { age } from './plan-badge.tsx';

/** `02:00:03 UTC` within a day, else with its date: the backup's snapshot time. */
export function formatRecoveryPoint(at: Date, now = new Date()): string {
  const iso = at.toISOString();
  return now.getTime() - at.getTime() < 24 * 3600_000 ? `${iso.slice(11, 19)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** "last proven restore: 3 h ago, recovery time 4 min 12 s, recovery point 02:00:03 UTC", or why there is none. */
export function ProvenRestore({ summary }: { summary: DrillSummary }) {
  const proven = summary.lastProven;
  if (!proven) return <span data-testid="proven-restore">no proven restore yet</span>;
  return (
    <span data-testid="proven-restore">
      last proven restore: {age(proven.finishedAt ?? proven.startedAt)}, recovery time {formatDuration(recoveryTimeMs(proven) ?? 0)}
      {proven.recoveryPoint ? `, recovery point ${formatRecoveryPoint(proven.recoveryPoint)}` : ''}
    </span>
  );
}

const WORDS = { failed: 'drill failed', overdue: 'drill overdue', ok: 'restore proven', never: 'no drill yet', off: 'drills off' } as const;

/** Red when the last drill failed or the last proven restore is older than the policy means. */
export function DrillBadge({ summary }: { summary: DrillSummary }) {
  if (summary.running) return <span data-testid="drill-badge" className="rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-800 dark:bg-sky-950 dark:text-sky-300">drilling</span>;
  if (summary.red) return <span data-testid="drill-badge" className="rounded-full bg-red-600 px-2 py-0.5 text-xs font-medium text-white">{WORDS[summary.health]}</span>;
  const tone = summary.health === 'ok' ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300' : 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300';
  return <span data-testid="drill-badge" className={`rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}>{WORDS[summary.health]}</span>;
}

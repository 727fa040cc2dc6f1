import type { Retention } from './plan-schema.ts';

export interface RetentionCandidate {
  id: string;
  /** When the backup finished (its snapshot time is close enough for calendar buckets). */
  at: Date;
  /** Succeeded and its files are whole: only good backups count towards and fall under retention. */
  good: boolean;
  /** A restore or drill is reading it right now. */
  inUse: boolean;
}

export type KeepReason = 'newest' | 'last' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'in-use' | 'not-good';

export interface RetentionOutcome {
  /** Kept backups and every rule that keeps each. */
  keep: Map<string, KeepReason[]>;
  /** Backups to delete, oldest first. */
  remove: string[];
}

/** Calendar parts of an instant in a zone (cached formatter per zone). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function calendar(at: Date, timeZone: string): { y: number; m: number; d: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { y: n('year'), m: n('month'), d: n('day') };
}

/** ISO-8601 week (Monday first) of a calendar date: `2026-W14`. */
function isoWeek({ y, m, d }: { y: number; m: number; d: number }): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${week}`;
}

const BUCKETS: { rule: 'daily' | 'weekly' | 'monthly' | 'yearly'; key: (c: { y: number; m: number; d: number }) => string }[] = [
  { rule: 'daily', key: (c) => `${c.y}-${c.m}-${c.d}` },
  { rule: 'weekly', key: isoWeek },
  { rule: 'monthly', key: (c) => `${c.y}-${c.m}` },
  { rule: 'yearly', key: (c) => `${c.y}` },
];

/**
 * Which backups a policy keeps: the last `keepLast` good ones, plus for each GFS rule the newest
 * good backup of each of the last N calendar days/weeks/months/years that have one (in the plan's
 * zone). Always kept whatever the policy: the newest good backup, backups in use, and backups that
 * are not good (failed or incomplete runs are not retention's to delete).
 */
export function selectRetention({ backups, policy, timeZone }: { backups: RetentionCandidate[]; policy: Retention; timeZone: string }): RetentionOutcome {
  const keep = new Map<string, KeepReason[]>();
  const add = (id: string, reason: KeepReason) => {
    const reasons = keep.get(id);
    if (reasons) reasons.push(reason);
    else keep.set(id, [reason]);
  };
  const good = backups.filter((b) => b.good).sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1));
  for (const b of backups) if (!b.good) add(b.id, 'not-good');
  if (good[0]) add(good[0].id, 'newest');
  good.slice(0, policy.keepLast).forEach((b) => add(b.id, 'last'));
  const parts = new Map(good.map((b) => [b.id, calendar(b.at, timeZone)]));
  for (const { rule, key } of BUCKETS) {
    const limit = policy[rule];
    const seen = new Set<string>();
    for (const b of good) {
      if (seen.size >= limit) break;
      const k = key(parts.get(b.id)!);
      if (seen.has(k)) continue;
      seen.add(k);
      add(b.id, rule);
    }
  }
  for (const b of good) if (b.inUse) add(b.id, 'in-use');
  const remove = good.filter((b) => !keep.has(b.id)).reverse().map((b) => b.id);
  return { keep, remove };
}

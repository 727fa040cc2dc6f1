import { Cron } from 'croner';
import type { PlanSchedule } from './plan-schema.ts';

// Cron arithmetic in the plan's own time zone, by croner (DST handled there: a 02:30 that does not
// exist on the spring-forward day runs at 03:00; one that happens twice in autumn runs once).

function cron({ cron, timeZone }: PlanSchedule): Cron {
  return new Cron(cron, { timezone: timeZone, paused: true });
}

/** The next `count` run times strictly after `after`. */
export function nextRuns({ schedule, after, count }: { schedule: PlanSchedule; after: Date; count: number }): Date[] {
  return cron(schedule).nextRuns(count, after);
}

/** The newest slot at or before `at`, or null when there is none. */
export function newestSlotBefore({ schedule, at }: { schedule: PlanSchedule; at: Date }): Date | null {
  return cron(schedule).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

/** Slots in (since, until], oldest first, at most `limit` of them (enough to know "more than one"). */
export function slotsBetween({ schedule, since, until, limit = 1_000 }: { schedule: PlanSchedule; since: Date; until: Date; limit?: number }): Date[] {
  const job = cron(schedule);
  const out: Date[] = [];
  let at = since;
  while (out.length < limit) {
    const next = job.nextRun(at);
    if (!next || next.getTime() > until.getTime()) break;
    out.push(next);
    at = next;
  }
  return out;
}

/** The usual gap between two runs (the smallest of the next few), for "stale". */
export function expectedInterval({ schedule, from }: { schedule: PlanSchedule; from: Date }): number {
  const runs = nextRuns({ schedule, after: from, count: 8 });
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]!.getTime() - runs[i - 1]!.getTime());
  return Number.isFinite(gap) ? gap : 24 * 3600_000;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const two = (n: string) => n.padStart(2, '0');
const isNum = (f: string) => /^\d+$/.test(f);

function describeDays(dom: string, month: string, dow: string): string | null {
  if (month !== '*') return null;
  if (dom === '*' && dow === '*') return 'every day';
  if (dom === '*' && /^\d$/.test(dow)) return `every ${WEEKDAYS[Number(dow) % 7]}`;
  if (dom === '*' && (dow === '1-5' || dow === 'MON-FRI')) return 'every weekday';
  if (isNum(dom) && dow === '*') return `on day ${dom} of every month`;
  return null;
}

/** The schedule in words: "every day at 02:00 Europe/Paris", "every 15 minutes (UTC)", or the pattern itself. */
export function describeSchedule({ cron: pattern, timeZone }: PlanSchedule): string {
  const fields = pattern.trim().split(/\s+/);
  const [min, hour, dom, month, dow] = fields.length === 6 ? fields.slice(1) : fields;
  if (fields.length === 5 && min && hour && dom && month && dow) {
    const everyMin = /^\*\/(\d+)$/.exec(min);
    if (everyMin && hour === '*' && dom === '*' && month === '*' && dow === '*') return `every ${everyMin[1]} minutes (${timeZone})`;
    if (min === '*' && hour === '*' && dom === '*' && month === '*' && dow === '*') return `every minute (${timeZone})`;
    if (isNum(min) && hour === '*' && dom === '*' && month === '*' && dow === '*') return `every hour at minute ${min} (${timeZone})`;
    const days = describeDays(dom, month, dow);
    if (days && isNum(min) && isNum(hour)) return `${days} at ${two(hour)}:${two(min)} ${timeZone}`;
  }
  if (fields.length === 6 && fields[0] && /^\*\/(\d+)$/.test(fields[0]) && fields.slice(1).every((f) => f === '*')) {
    return `every ${fields[0].slice(2)} seconds (${timeZone})`;
  }
  return `cron “${pattern.trim()}” in ${timeZone}`;
}

/** A run time as the plan's zone shows it: "Mon 2026-03-30 02:00 CEST". */
export function formatInZone({ at, timeZone }: { at: Date; timeZone: string }): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

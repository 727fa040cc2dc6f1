import { describe, expect, it } from 'vitest';
import { dueSlot, MISSED_COUNT_LIMIT } from './due-slot.ts';
import { Plan, cronProblem, isTimeZone, issueCode } from './plan-schema.ts';
import { describeSchedule, expectedInterval, formatInZone, nextRuns } from './schedule.ts';

const paris = { cron: '0 2 * * *', timeZone: 'Europe/Paris' };
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('nextRuns', () => {
  it('runs at 02:00 Paris time, in winter (UTC+1) and summer (UTC+2)', () => {
    expect(iso(nextRuns({ schedule: paris, after: new Date('2026-01-10T12:00:00Z'), count: 2 }))).toEqual(['2026-01-11T01:00:00.000Z', '2026-01-12T01:00:00.000Z']);
    expect(iso(nextRuns({ schedule: paris, after: new Date('2026-07-10T12:00:00Z'), count: 1 }))).toEqual(['2026-07-11T00:00:00.000Z']);
  });

  it('spring forward (29 March 2026): 02:30 does not exist and runs once, at 03:00 CEST', () => {
    const runs = nextRuns({ schedule: { cron: '30 2 * * *', timeZone: 'Europe/Paris' }, after: new Date('2026-03-28T12:00:00Z'), count: 2 });
    expect(iso(runs)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('fall back (25 October 2026): 02:30 happens twice and runs once', () => {
    const runs = nextRuns({ schedule: { cron: '30 2 * * *', timeZone: 'Europe/Paris' }, after: new Date('2026-10-24T12:00:00Z'), count: 2 });
    expect(iso(runs)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('hourly runs stay an hour apart across the autumn change (no slot lost or doubled in UTC)', () => {
    const runs = nextRuns({ schedule: { cron: '0 * * * *', timeZone: 'Europe/Paris' }, after: new Date('2026-10-24T23:30:00Z'), count: 4 });
    const gaps = runs.slice(1).map((d, i) => d.getTime() - runs[i]!.getTime());
    expect(gaps.every((g) => g === 3600_000 || g === 7200_000)).toBe(true);
  });
});

describe('describeSchedule', () => {
  it('says the schedule in words', () => {
    expect(describeSchedule(paris)).toBe('every day at 02:00 Europe/Paris');
    expect(describeSchedule({ cron: '30 4 * * 1', timeZone: 'UTC' })).toBe('every Monday at 04:30 UTC');
    expect(describeSchedule({ cron: '*/15 * * * *', timeZone: 'UTC' })).toBe('every 15 minutes (UTC)');
    expect(describeSchedule({ cron: '0 3 1 * *', timeZone: 'UTC' })).toBe('on day 1 of every month at 03:00 UTC');
    expect(describeSchedule({ cron: '0 3 1-7 * 1', timeZone: 'UTC' })).toBe('cron “0 3 1-7 * 1” in UTC');
  });

  it('formats a time in the plan zone with its abbreviation', () => {
    expect(formatInZone({ at: new Date('2026-07-11T00:00:00Z'), timeZone: 'Europe/Paris' })).toMatch(/^Sat 2026-07-11 02:00 (CEST|GMT\+2)$/);
  });

  it('knows the expected interval', () => {
    expect(expectedInterval({ schedule: paris, from: new Date('2026-01-10T00:00:00Z') })).toBe(24 * 3600_000);
  });
});

describe('validation', () => {
  it('refuses a bad cron, an unknown zone and a retention that keeps nothing, each with its code', () => {
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('0 2 * *')).toMatch(/5 fields/);
    expect(cronProblem('0 2 * * *')).toBeNull();
    // Parses, but 30 February never comes: refused rather than saved as a plan that never runs.
    expect(cronProblem('0 0 30 2 *')).toMatch(/never run/);
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    const parsed = Plan.safeParse({
      name: 'nightly',
      serverId: 's1',
      databases: ['shop'],
      dump: {},
      schedule: { cron: '99 2 * * *', timeZone: 'Mars/Olympus' },
      retention: { keepLast: 0 },
      alerts: {},
    });
    expect(parsed.success).toBe(false);
    const codes = parsed.error!.issues.map((i) => [i.path.join('.'), issueCode(i)]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['schedule.cron', 'BAD_CRON'],
        ['schedule.timeZone', 'UNKNOWN_TIME_ZONE'],
        ['retention.keepLast', 'RETENTION_KEEPS_NOTHING'],
      ]),
    );
  });

  it('uses the backup form words', () => {
    const parsed = Plan.safeParse({ name: 'x', serverId: '', databases: [], dump: { threads: 0 }, schedule: paris, retention: {}, alerts: {} });
    const messages = parsed.error!.issues.map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining(['Pick a server', 'From 1 to 64']));
  });
});

describe('dueSlot', () => {
  const createdAt = new Date('2026-01-01T00:00:00Z');

  it('nothing is due before the first slot', () => {
    expect(dueSlot({ schedule: paris, lastSlotAt: null, createdAt, now: new Date('2026-01-01T00:59:00Z') })).toBeNull();
  });

  it('the slot is due once reached, and not again once handled', () => {
    const now = new Date('2026-01-01T01:00:05Z');
    const due = dueSlot({ schedule: paris, lastSlotAt: null, createdAt, now });
    expect(due).toEqual({ slot: new Date('2026-01-01T01:00:00Z'), missed: 0 });
    expect(dueSlot({ schedule: paris, lastSlotAt: due!.slot, createdAt, now })).toBeNull();
  });

  it('a week down: one catch-up run for the newest slot, six counted as missed', () => {
    const due = dueSlot({ schedule: paris, lastSlotAt: new Date('2026-01-01T01:00:00Z'), createdAt, now: new Date('2026-01-08T09:00:00Z') });
    expect(due).toEqual({ slot: new Date('2026-01-08T01:00:00Z'), missed: 6 });
  });

  it('a hundred days down on an every-minute plan: the newest slot, once, whatever the count', () => {
    const everyMinute = { cron: '* * * * *', timeZone: 'Europe/Paris' };
    const now = new Date('2026-04-11T09:30:20Z');
    const due = dueSlot({ schedule: everyMinute, lastSlotAt: new Date('2026-01-01T00:00:00Z'), createdAt, now });
    // 144,000 slots were missed: more than are counted, but the slot is still the newest one.
    expect(due).toEqual({ slot: new Date('2026-04-11T09:30:00Z'), missed: MISSED_COUNT_LIMIT });
    expect(dueSlot({ schedule: everyMinute, lastSlotAt: due!.slot, createdAt, now })).toBeNull();
  });

  it('a slot exactly now is due; the newest slot across the spring DST change is 03:00 CEST', () => {
    expect(dueSlot({ schedule: paris, lastSlotAt: new Date('2026-01-07T01:00:00Z'), createdAt, now: new Date('2026-01-08T01:00:00Z') })).toEqual({ slot: new Date('2026-01-08T01:00:00Z'), missed: 0 });
    const half = { cron: '30 2 * * *', timeZone: 'Europe/Paris' };
    expect(dueSlot({ schedule: half, lastSlotAt: new Date('2026-03-28T01:30:00Z'), createdAt, now: new Date('2026-03-29T05:00:00Z') })).toEqual({ slot: new Date('2026-03-29T01:00:00Z'), missed: 0 });
  });
});

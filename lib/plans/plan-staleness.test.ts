import { describe, expect, it } from 'vitest';
import { planBadgeState, planIsStale, stalePlansFirst } from './plan-staleness.ts';

// Issue 18: the red "stale" badge and the overview's stale-first order, decided here and only drawn
// by app/plans/plan-badge.tsx and the tables.

const daily = { cron: '0 2 * * *', timeZone: 'Europe/Paris' };
const createdAt = new Date('2026-01-01T00:00:00Z');
const plan = (extra: { paused?: boolean } = {}) => ({ paused: false, createdAt, schedule: daily, ...extra });

describe('planIsStale', () => {
  it('a daily plan is stale once its last good backup is older than a day and a quarter', () => {
    const lastGoodAt = new Date('2026-01-10T01:00:00Z');
    expect(planIsStale({ plan: plan(), lastGoodAt, now: new Date('2026-01-11T06:00:00Z') })).toBe(false);
    expect(planIsStale({ plan: plan(), lastGoodAt, now: new Date('2026-01-11T08:00:00Z') })).toBe(true);
  });

  it('before any good backup, counts from the plan\'s creation', () => {
    expect(planIsStale({ plan: plan(), lastGoodAt: null, now: new Date('2026-01-01T20:00:00Z') })).toBe(false);
    expect(planIsStale({ plan: plan(), lastGoodAt: null, now: new Date('2026-01-02T08:00:00Z') })).toBe(true);
  });

  it('a paused plan is never stale, however old its last backup', () => {
    expect(planIsStale({ plan: plan({ paused: true }), lastGoodAt: null, now: new Date('2027-01-01T00:00:00Z') })).toBe(false);
  });
});

describe('planBadgeState', () => {
  it('is red "stale" whatever else is true, and never red otherwise', () => {
    for (const busy of [false, true]) for (const paused of [false, true]) {
      expect(planBadgeState({ stale: true, busy, plan: { paused } })).toBe('stale');
    }
    expect(planBadgeState({ stale: false, busy: true, plan: { paused: true } })).toBe('running');
    expect(planBadgeState({ stale: false, busy: false, plan: { paused: true } })).toBe('paused');
    expect(planBadgeState({ stale: false, busy: false, plan: { paused: false } })).toBe('ok');
  });
});

describe('stalePlansFirst', () => {
  it('puts stale plans first, each group by name, and leaves its input as it was', () => {
    const s = (name: string, stale: boolean) => ({ stale, plan: { name } });
    const input = [s('b nightly', false), s('z stale', true), s('a hourly', false), s('c stale', true)];
    const copy = [...input];
    expect(stalePlansFirst(input).map((x) => x.plan.name)).toEqual(['c stale', 'z stale', 'a hourly', 'b nightly']);
    expect(input).toEqual(copy);
  });
});

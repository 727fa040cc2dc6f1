import { describe, expect, it } from 'vitest';
import type { Retention } from './plan-schema.ts';
import { selectRetention, type RetentionCandidate } from './select-retention.ts';

/** mulberry32: a seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const start = Date.UTC(2025, 0, 1, 1, 0);

/** 400 days of nightly backups, some days with a second one, some failed, a few in use. */
function history(random: () => number): RetentionCandidate[] {
  const out: RetentionCandidate[] = [];
  for (let day = 0; day < 400; day++) {
    const perDay = random() < 0.1 ? 2 : random() < 0.05 ? 0 : 1;
    for (let k = 0; k < perDay; k++) {
      out.push({ id: `b${day}-${k}`, at: new Date(start + day * DAY + k * 3600_000 + Math.floor(random() * 600_000)), good: random() > 0.08, inUse: random() < 0.01 });
    }
  }
  return out;
}

function randomPolicy(random: () => number): Retention {
  const n = (max: number) => Math.floor(random() * (max + 1));
  const policy = { keepLast: n(10), daily: n(14), weekly: n(8), monthly: n(18), yearly: n(3) };
  if (policy.keepLast + policy.daily + policy.weekly + policy.monthly + policy.yearly === 0) policy.keepLast = 1;
  return policy;
}

const dayKey = (d: Date) => d.toISOString().slice(0, 10);

describe('selectRetention', () => {
  it('keep last 2: the two newest good backups stay, failed ones are left alone', () => {
    const backups: RetentionCandidate[] = [1, 2, 3, 4].map((i) => ({ id: `r${i}`, at: new Date(start + i * DAY), good: i !== 3, inUse: false }));
    const outcome = selectRetention({ backups, policy: { keepLast: 2, daily: 0, weekly: 0, monthly: 0, yearly: 0 }, timeZone: 'UTC' });
    expect(outcome.remove).toEqual(['r1']);
    expect(outcome.keep.get('r4')).toEqual(['newest', 'last']);
    expect(outcome.keep.get('r3')).toEqual(['not-good']);
  });

  it('GFS over 400 days of nightly backups: 7 daily, 4 weekly, 12 monthly, 2 yearly', () => {
    const backups = Array.from({ length: 400 }, (_, day) => ({ id: `d${day}`, at: new Date(start + day * DAY), good: true, inUse: false }));
    const outcome = selectRetention({ backups, policy: { keepLast: 0, daily: 7, weekly: 4, monthly: 12, yearly: 2 }, timeZone: 'Europe/Paris' });
    const kept = [...outcome.keep.keys()];
    // Days overlap with the newest week and month, so fewer than 7+4+12+2 distinct backups.
    expect(kept.length).toBeGreaterThanOrEqual(12 + 1);
    expect(kept.length).toBeLessThanOrEqual(25);
    expect([...outcome.keep.entries()].filter(([, r]) => r.includes('monthly'))).toHaveLength(12);
    expect([...outcome.keep.entries()].filter(([, r]) => r.includes('yearly'))).toHaveLength(2);
    expect(outcome.keep.size + outcome.remove.length).toBe(400);
  });

  it('the day of a backup is the plan zone day: 23:30 UTC is the next day in Paris', () => {
    const backups = [
      { id: 'late', at: new Date('2026-06-01T23:30:00Z'), good: true, inUse: false },
      { id: 'early', at: new Date('2026-06-02T10:00:00Z'), good: true, inUse: false },
      { id: 'before', at: new Date('2026-06-01T10:00:00Z'), good: true, inUse: false },
    ];
    const policy = { keepLast: 0, daily: 2, weekly: 0, monthly: 0, yearly: 0 };
    expect([...selectRetention({ backups, policy, timeZone: 'UTC' }).keep.keys()].sort()).toEqual(['early', 'late']);
    expect([...selectRetention({ backups, policy, timeZone: 'Europe/Paris' }).keep.keys()].sort()).toEqual(['before', 'early']);
  });

  it('invariants hold for 300 random histories and policies', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const backups = history(random);
      const policy = randomPolicy(random);
      const { keep, remove } = selectRetention({ backups, policy, timeZone: 'Europe/Paris' });
      const ctx = `seed ${seed} policy ${JSON.stringify(policy)}`;
      const good = backups.filter((b) => b.good).sort((a, b) => b.at.getTime() - a.at.getTime());
      const removed = new Set(remove);
      // Every backup is either kept or removed, never both.
      expect(keep.size + remove.length, ctx).toBe(backups.length);
      for (const id of remove) expect(keep.has(id), ctx).toBe(false);
      // Never the newest good backup, never one in use, never one that is not good.
      if (good[0]) expect(removed.has(good[0].id), ctx).toBe(false);
      for (const b of backups) if (b.inUse || !b.good) expect(removed.has(b.id), ctx).toBe(false);
      // Keeps what each rule says: the last N good ones...
      for (const b of good.slice(0, policy.keepLast)) expect(removed.has(b.id), ctx).toBe(false);
      // ...and for daily: the newest good backup of each of the newest N days with one (UTC here is
      // within a couple of hours of Paris; the checks below use Paris days via the outcome's own tags).
      const dailyKept = [...keep.entries()].filter(([, r]) => r.includes('daily')).map(([id]) => id);
      const distinctDays = new Set(good.map((b) => dayKey(new Date(b.at.getTime() + 2 * 3600_000)))).size;
      expect(dailyKept.length, ctx).toBe(Math.min(policy.daily, distinctDays));
      // Nothing kept without a reason, and the kept count never exceeds the sum of the rules (+ newest, in-use, not good).
      const extras = backups.filter((b) => b.inUse || !b.good).length + 1;
      expect(keep.size, ctx).toBeLessThanOrEqual(policy.keepLast + policy.daily + policy.weekly + policy.monthly + policy.yearly + extras);
    }
  });

  it('a policy applied twice deletes nothing more the second time (idempotent)', () => {
    const random = prng(42);
    const backups = history(random);
    const policy = { keepLast: 3, daily: 7, weekly: 4, monthly: 6, yearly: 1 };
    const first = selectRetention({ backups, policy, timeZone: 'Europe/Paris' });
    const left = backups.filter((b) => !first.remove.includes(b.id));
    expect(selectRetention({ backups: left, policy, timeZone: 'Europe/Paris' }).remove).toEqual([]);
  });
});

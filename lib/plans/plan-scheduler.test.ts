import { describe, expect, it } from 'vitest';
import { isParadumpError } from '../core/errors.ts';
import { concurrencyFromEnv, PlanScheduler, type SchedulablePlan, type SchedulerDeps, type SchedulerLogEntry } from './plan-scheduler.ts';

/** A fake world: a settable clock, plans in memory, runs that end when the test says so. */
function world(plans: SchedulablePlan[]) {
  let now = new Date('2026-03-28T00:00:00Z');
  const logs: SchedulerLogEntry[] = [];
  const started: { planId: string; runId: string; slot: Date | null; reason: string; end: () => void }[] = [];
  const deps: SchedulerDeps = {
    now: () => now,
    listPlans: async () => plans.map((p) => ({ ...p })),
    markSlot: async (planId, slot, previous) => {
      const p = plans.find((x) => x.id === planId)!;
      if (p.lastSlotAt?.getTime() !== previous?.getTime()) return false;
      p.lastSlotAt = slot;
      return true;
    },
    startRun: async (plan, job) => {
      let end!: () => void;
      const finished = new Promise<void>((resolve) => (end = resolve));
      const runId = `run${started.length + 1}`;
      started.push({ planId: plan.id, runId, slot: job.slot, reason: job.reason, end });
      return { runId, finished };
    },
    log: async (entry) => {
      logs.push(entry);
    },
  };
  return {
    deps,
    logs,
    started,
    set: (iso: string) => (now = new Date(iso)),
  };
}

const plan = (id: string, serverId: string, cron: string, timeZone = 'Europe/Paris'): SchedulablePlan => ({
  id,
  serverId,
  schedule: { cron, timeZone },
  paused: false,
  lastSlotAt: null,
  createdAt: new Date('2026-03-27T00:00:00Z'),
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PlanScheduler', () => {
  it('starts a daily plan at its slot across the spring DST change, once per day', async () => {
    const p = plan('p1', 's1', '30 2 * * *');
    p.lastSlotAt = new Date('2026-03-27T01:30:00Z');
    const w = world([p]);
    const scheduler = new PlanScheduler({ deps: w.deps });
    w.set('2026-03-28T01:29:59Z');
    await scheduler.tick();
    expect(w.started).toHaveLength(0);
    w.set('2026-03-28T01:30:00Z');
    await scheduler.tick();
    await scheduler.tick();
    expect(w.started.map((s) => s.slot?.toISOString())).toEqual(['2026-03-28T01:30:00.000Z']);
    w.started[0]!.end();
    await flush();
    // 29 March: 02:30 does not exist in Paris; the run comes at 03:00 CEST (01:00Z).
    w.set('2026-03-29T00:59:00Z');
    await scheduler.tick();
    expect(w.started).toHaveLength(1);
    w.set('2026-03-29T01:00:01Z');
    await scheduler.tick();
    expect(w.started.map((s) => s.slot?.toISOString())).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z']);
    w.started[1]!.end();
    await scheduler.idle();
  });

  // Ticks one second apart: the second pass must start neither another catch-up nor a skip.
  const catchUps = [
    { what: 'after being down for days, a daily plan starts one catch-up run and logs how many were missed', cron: '0 2 * * *', timeZone: 'Europe/Paris', lastSlot: '2026-03-20T01:00:00Z', at: ['2026-03-28T10:00:00Z', '2026-03-28T10:00:01Z'], slot: '2026-03-28T01:00:00.000Z', missed: /^8 runs were due while paradump was not running; starting one catch-up run/ },
    { what: 'after a hundred days down, an every-minute plan starts one catch-up run, and the next pass starts none', cron: '* * * * *', timeZone: 'UTC', lastSlot: '2025-12-18T00:00:00Z', at: ['2026-03-28T10:00:30Z', '2026-03-28T10:00:31Z'], slot: '2026-03-28T10:00:00.000Z', missed: /^More than 100 runs were due while paradump was not running/ },
  ];
  for (const { what, cron, timeZone, lastSlot, at, slot, missed } of catchUps) it(what, async () => {
    const p = plan('p1', 's1', cron, timeZone);
    p.lastSlotAt = new Date(lastSlot);
    const w = world([p]);
    const scheduler = new PlanScheduler({ deps: w.deps });
    for (const iso of at) {
      w.set(iso);
      await scheduler.tick();
    }
    // One run, of the newest slot, as a catch-up.
    expect(w.started.map((s) => [s.slot?.toISOString(), s.reason])).toEqual([[slot, 'catch-up']]);
    expect(w.logs.map((l) => l.message)).toEqual([expect.stringMatching(missed)]);
    w.started[0]!.end();
    await scheduler.idle();
  });

  it('never overlaps a plan with itself: the next slot is skipped with SKIPPED_OVERLAP', async () => {
    const p = plan('p1', 's1', '*/5 * * * *', 'UTC');
    p.lastSlotAt = new Date('2026-03-28T00:00:00Z');
    const w = world([p]);
    const scheduler = new PlanScheduler({ deps: w.deps });
    w.set('2026-03-28T00:05:00Z');
    await scheduler.tick();
    w.set('2026-03-28T00:10:00Z');
    await scheduler.tick();
    expect(w.started).toHaveLength(1);
    expect(w.logs).toEqual([expect.objectContaining({ planId: 'p1', code: 'SKIPPED_OVERLAP' })]);
    expect(await scheduler.runNow(p)).toBe(false);
    w.started[0]!.end();
    await flush();
    w.set('2026-03-28T00:15:00Z');
    await scheduler.tick();
    expect(w.started).toHaveLength(2);
    w.started[1]!.end();
    await scheduler.idle();
  });

  it('queues plans of one server one at a time by default; other servers run alongside', async () => {
    const plans = [plan('a', 's1', '0 * * * *', 'UTC'), plan('b', 's1', '0 * * * *', 'UTC'), plan('c', 's2', '0 * * * *', 'UTC')];
    const w = world(plans);
    const scheduler = new PlanScheduler({ deps: w.deps });
    w.set('2026-03-28T01:00:00Z');
    await scheduler.tick();
    expect(w.started.map((s) => s.planId)).toEqual(['a', 'c']);
    expect(scheduler.isBusy('b')).toBe(true);
    w.started[0]!.end();
    await flush();
    await flush();
    expect(w.started.map((s) => s.planId)).toEqual(['a', 'c', 'b']);
    w.started[1]!.end();
    w.started[2]!.end();
    await scheduler.idle();
    expect(scheduler.activeRuns()).toEqual([]);
  });

  it('runs two plans of one server together with concurrency 2', async () => {
    const w = world([plan('a', 's1', '0 * * * *', 'UTC'), plan('b', 's1', '0 * * * *', 'UTC'), plan('c', 's1', '0 * * * *', 'UTC')]);
    const scheduler = new PlanScheduler({ deps: w.deps, concurrency: 2 });
    w.set('2026-03-28T01:00:00Z');
    await scheduler.tick();
    expect(w.started.map((s) => s.planId)).toEqual(['a', 'b']);
    for (const s of w.started) s.end();
    await flush();
    await flush();
    expect(w.started.map((s) => s.planId)).toEqual(['a', 'b', 'c']);
    w.started[2]!.end();
    await scheduler.idle();
  });

  it('a slot another scheduler claimed first is not started here', async () => {
    const p = { ...plan('p', 's1', '0 * * * *', 'UTC'), lastSlotAt: new Date('2026-03-28T00:00:00Z') };
    const w = world([p]);
    const claim = w.deps.markSlot;
    w.deps.markSlot = async (id, slot, previous) => (await claim(id, slot, previous)) && false;
    const scheduler = new PlanScheduler({ deps: w.deps });
    w.set('2026-03-28T01:00:00Z');
    await scheduler.tick();
    expect(w.started).toHaveLength(0);
  });

  it('a paused plan does not run; a run that cannot start is logged and frees the server', async () => {
    const paused = { ...plan('p', 's1', '0 * * * *', 'UTC'), paused: true };
    const broken = { ...plan('x', 's1', '0 * * * *', 'UTC'), lastSlotAt: new Date('2026-03-28T00:00:00Z') };
    const w = world([paused, broken]);
    w.deps.startRun = async () => {
      throw Object.assign(new Error('no such server'), { code: 'SERVER_NOT_FOUND' });
    };
    const scheduler = new PlanScheduler({ deps: w.deps });
    w.set('2026-03-28T01:00:00Z');
    await scheduler.tick();
    expect(w.logs).toEqual([expect.objectContaining({ planId: 'x', code: 'SERVER_NOT_FOUND', level: 'error' })]);
    expect(scheduler.isBusy('x')).toBe(false);
  });

  it('PARADUMP_PLAN_CONCURRENCY: unset is 1, a bad value is refused by name', () => {
    expect(concurrencyFromEnv(undefined)).toBe(1);
    expect(concurrencyFromEnv('')).toBe(1);
    expect(concurrencyFromEnv('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two', '65']) {
      const caught = (() => {
        try {
          return concurrencyFromEnv(bad);
        } catch (error) {
          return error;
        }
      })();
      expect(isParadumpError(caught, 'BAD_OPTION'), bad).toBe(true);
      expect((caught as Error).message).toBe(`PARADUMP_PLAN_CONCURRENCY must be a whole number from 1 to 64, got "${bad}"`);
    }
  });
});

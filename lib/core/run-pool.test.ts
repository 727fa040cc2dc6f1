import { describe, expect, it } from 'vitest';
import { runPool } from './run-pool.ts';

interface Task {
  table: string;
  index: number;
}

/** Runs `tasks` on `workers` fake connections as restore does: one chunk of a table in flight is not preferred. */
async function schedule(tasks: Task[], workers: number, options: { fail?: string } = {}) {
  const inFlight = new Map<string, number>();
  const log: string[] = [];
  let overlapsWhileOthersWaited = 0;
  const pending = new Set(tasks.map((t) => `${t.table}${t.index}`));
  await runPool({
    workers: Array.from({ length: workers }, () => ({ destroy: () => undefined })),
    tasks,
    signal: undefined,
    eligible: () => true,
    preferred: (t) => (inFlight.get(t.table) ?? 0) === 0,
    run: async (t, _conn, worker) => {
      pending.delete(`${t.table}${t.index}`);
      const othersWaiting = [...pending].some((p) => !p.startsWith(t.table));
      if ((inFlight.get(t.table) ?? 0) > 0 && othersWaiting) overlapsWhileOthersWaited++;
      inFlight.set(t.table, (inFlight.get(t.table) ?? 0) + 1);
      log.push(`${worker}:${t.table}${t.index}`);
      await new Promise((r) => setTimeout(r, 1 + (t.index % 3)));
      inFlight.set(t.table, inFlight.get(t.table)! - 1);
      if (options.fail === `${t.table}${t.index}`) throw new Error('boom');
    },
  });
  return { log, overlapsWhileOthersWaited };
}

const chunks = (table: string, n: number): Task[] => Array.from({ length: n }, (_, index) => ({ table, index }));

describe('runPool', () => {
  it('spreads connections over tables while there are tables enough, in task order otherwise', async () => {
    // Largest table first, as restore orders them: without the preference both connections would
    // take a's chunks (one table's bulk loads wait on each other's AUTO-INC lock).
    const { log, overlapsWhileOthersWaited } = await schedule([...chunks('a', 6), ...chunks('b', 3), ...chunks('c', 2)], 2);
    expect(log.slice(0, 2).map((l) => l.slice(2))).toEqual(['a0', 'b0']);
    expect(overlapsWhileOthersWaited).toBe(0);
    expect(log.map((l) => l.slice(2)).sort()).toEqual([...chunks('a', 6), ...chunks('b', 3), ...chunks('c', 2)].map((t) => `${t.table}${t.index}`).sort());
    // Once a is the only table left, both connections load it.
    const lastB = Math.max(...['b', 'c'].map((x) => log.findLastIndex((l) => l.includes(`:${x}`))));
    expect(log.slice(lastB + 1).every((l) => l.includes(':a'))).toBe(true);
  });

  it('stops taking tasks after the first failure and rethrows it', async () => {
    await expect(schedule([...chunks('a', 4), ...chunks('b', 4)], 2, { fail: 'a0' })).rejects.toThrow('boom');
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { restore } from '../../lib/restore/restore.ts';
import type { RestoreEvent } from '../../lib/restore/events.ts';
import type { DumpEvent } from '../../lib/engine/events.ts';
import { isParadumpError } from '../../lib/core/errors.ts';
import { connect, createTestDatabase, type Connection, type TestDatabase } from '../harness/db.ts';
import { createChunkTable } from '../fixtures/generate.ts';

const uri = inject('mariadbUri');
let db: TestDatabase;
let root: string;

async function status(c: Connection, name: string): Promise<number> {
  const [rows] = await c.query(`SHOW GLOBAL STATUS LIKE '${name}'`);
  return Number((rows as { Value: string }[])[0]!.Value);
}

/**
 * The rate at which a server counter grew while chunks were moving: its growth over the time from the
 * first chunk-started event to the last chunk-finished one. The whole run's wall time is not used:
 * connecting, planning and CREATE TABLE stretch it on a loaded machine without saying anything
 * about the throttle. Nor is a sampled slope: the server pushes each chunk into the socket buffers
 * in one burst, so its counter moves a chunk at a time while the reader pays for it row by row.
 */
async function chunkRate(
  probe: Connection,
  counter: string,
  run: (onEvent: (e: { type: string }) => void) => Promise<unknown>,
): Promise<{ total: number; rate: number }> {
  const before = await status(probe, counter);
  let first = Number.NaN;
  let last = Number.NaN;
  await run((e) => {
    if (e.type === 'chunk-started' && Number.isNaN(first)) first = performance.now();
    if (e.type === 'chunk-finished') last = performance.now();
  });
  const total = (await status(probe, counter)) - before;
  if (!(last > first)) throw new Error('the run reported no chunks');
  return { total, rate: (total * 1000) / (last - first) };
}

/**
 * The rate is a ceiling: 10 % over it fails. Below it only a gross shortfall fails, because on a busy
 * machine (CI, or several test runs at once) the reader itself can fall behind 2 MB/s: 1.3–1.8 MB/s
 * was measured here at a load average of 18 on 2 cores, for the dump and the restore alike.
 */
function expectThrottledTo(measured: number, rate: number): void {
  expect(measured).toBeLessThan(rate * 1.1);
  expect(measured).toBeGreaterThan(rate * 0.5);
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createTestDatabase(uri, 'throttle');
  // About 10 MB of rows: long enough at 2 MB/s for start-up and socket buffers to be noise.
  await createChunkTable({ uri, db: db.name, table: 'wide', rows: 40_000, padLength: 240 });
  root = await mkdtemp(path.join(os.tmpdir(), 'paradump-throttle-'));
});

afterAll(async () => {
  await db?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('dump throttling', () => {
  it('never lets the source send faster than --max-rate, nor far slower', async () => {
    const rate = 2_000_000;
    const probe = await connect(uri);
    try {
      const { total: sent, rate: measured } = await chunkRate(probe, 'Bytes_sent', (onEvent) =>
        dump({ source: uri, outDir: path.join(root, 'rate'), databases: [db.name], threads: 3, chunkRows: 4000, compress: 'none', maxRate: '2M' }, { onEvent }),
      );
      console.log(`max-rate 2M: ${sent} bytes sent, ${Math.round(measured)} B/s while chunks moved`);
      expect(sent).toBeGreaterThan(8_000_000);
      expectThrottledTo(measured, rate);
    } finally {
      await probe.end();
    }
  });

  it('pauses new chunks while Threads_running is above the limit, and resumes below it', async () => {
    const limit = 6;
    const admin = await connect(uri);
    const sleepers = await Promise.all(Array.from({ length: limit + 2 }, () => connect(uri)));
    const events: DumpEvent[] = [];
    try {
      const sleeping = sleepers.map((c) => c.query('SELECT SLEEP(300)').catch(() => undefined));
      await until(async () => (await status(admin, 'Threads_running')) > limit + 1, 'the sleepers to run');
      const run = dump({ source: uri, outDir: path.join(root, 'gate'), databases: [db.name], threads: 2, chunkRows: 4000, maxThreadsRunning: limit }, { onEvent: (e) => events.push(e) });
      await until(() => events.some((e) => e.type === 'throttle' && e.state === 'paused'), 'the throttle event');
      const paused = events.find((e) => e.type === 'throttle')!;
      expect(paused).toMatchObject({ reason: 'threads-running', state: 'paused', limit });
      // Held for three polls: not one chunk may start meanwhile.
      const startedBefore = events.filter((e) => e.type === 'chunk-started').length;
      await new Promise((r) => setTimeout(r, 1600));
      expect(events.filter((e) => e.type === 'chunk-started').length).toBe(startedBefore);
      expect(startedBefore).toBe(0);
      for (const c of sleepers) await admin.query(`KILL QUERY ${c.threadId}`);
      await Promise.all(sleeping);
      const manifest = await run;
      expect(manifest.totals.rows).toBe(40_000);
      const resumed = events.findIndex((e) => e.type === 'throttle' && e.state === 'resumed');
      expect(resumed).toBeGreaterThan(-1);
      expect(events.findIndex((e) => e.type === 'chunk-started')).toBeGreaterThan(resumed);
    } finally {
      await Promise.all(sleepers.map((c) => c.end().catch(() => undefined)));
      await admin.end();
    }
  });

  it('with --lock per-table, waits for the gate before taking a table lock, never while holding one', async () => {
    const limit = 6;
    const admin = await connect(uri);
    const sleepers = await Promise.all(Array.from({ length: limit + 2 }, () => connect(uri)));
    const events: DumpEvent[] = [];
    try {
      const sleeping = sleepers.map((c) => c.query('SELECT SLEEP(300)').catch(() => undefined));
      await until(async () => (await status(admin, 'Threads_running')) > limit + 1, 'the sleepers to run');
      const run = dump({ source: uri, outDir: path.join(root, 'gate-per-table'), databases: [db.name], threads: 2, chunkRows: 4000, lock: 'per-table', maxThreadsRunning: limit }, { onEvent: (e) => events.push(e) });
      await until(() => events.some((e) => e.type === 'throttle' && e.state === 'paused'), 'the throttle event');
      await new Promise((r) => setTimeout(r, 1000));
      expect(events.filter((e) => e.type === 'lock-requested' || e.type === 'chunk-started')).toHaveLength(0);
      for (const c of sleepers) await admin.query(`KILL QUERY ${c.threadId}`);
      await Promise.all(sleeping);
      expect((await run).totals.rows).toBe(40_000);
    } finally {
      await Promise.all(sleepers.map((c) => c.end().catch(() => undefined)));
      await admin.end();
    }
  });

  it('refuses a rate below 1M, a rate it cannot read and a Threads_running limit the dump itself reaches, before writing anything', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxRate: '512K' }, 'maxRate'],
      [{ maxRate: 999_999 }, 'maxRate'],
      [{ maxRate: 'fast' }, 'maxRate'],
      [{ threads: 4, maxThreadsRunning: 5 }, 'maxThreadsRunning'],
    ];
    for (const [given, option] of cases) {
      const outDir = path.join(root, `bad-${option}-${String(Object.values(given).join('-'))}`);
      const error = await dump({ source: uri, outDir, databases: [db.name], ...given }).catch((e: unknown) => e);
      expect(isParadumpError(error, 'BAD_OPTION'), String(error)).toBe(true);
      expect((error as { details: { path: string } }).details.path).toBe(option);
      await expect(readdir(outDir)).rejects.toThrow();
    }
  });
});

describe('restore throttling', () => {
  let plain: string;
  const copies: string[] = [];
  beforeAll(async () => {
    plain = path.join(root, 'plain');
    await dump({ source: uri, outDir: plain, databases: [db.name], chunkRows: 4000 });
  });
  afterAll(async () => {
    const c = await connect(uri);
    for (const name of copies) await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.end();
  });

  it('never lets the target receive faster than --max-rate, nor far slower', async () => {
    const copy = `${db.name}_r`;
    copies.push(copy);
    const probe = await connect(uri);
    try {
      const { total: received, rate: measured } = await chunkRate(probe, 'Bytes_received', (onEvent) =>
        restore({ from: plain, target: uri, rename: { [db.name]: copy }, threads: 3, maxRate: '2M', loadMethod: 'insert' }, { onEvent }),
      );
      console.log(`restore max-rate 2M: ${received} bytes received, ${Math.round(measured)} B/s while chunks moved`);
      expect(received).toBeGreaterThan(8_000_000);
      expectThrottledTo(measured, 2_000_000);
    } finally {
      await probe.end();
    }
  });

  it("pauses new chunks while the target's Threads_running is above the limit", async () => {
    const copy = `${db.name}_g`;
    copies.push(copy);
    const limit = 6;
    const admin = await connect(uri);
    const sleepers = await Promise.all(Array.from({ length: limit + 2 }, () => connect(uri)));
    const events: RestoreEvent[] = [];
    try {
      const sleeping = sleepers.map((c) => c.query('SELECT SLEEP(300)').catch(() => undefined));
      await until(async () => (await status(admin, 'Threads_running')) > limit + 1, 'the sleepers to run');
      const run = restore({ from: plain, target: uri, rename: { [db.name]: copy }, threads: 2, maxThreadsRunning: limit }, { onEvent: (e) => events.push(e) });
      await until(() => events.some((e) => e.type === 'throttle' && e.state === 'paused'), 'the throttle event');
      await new Promise((r) => setTimeout(r, 1600));
      expect(events.filter((e) => e.type === 'chunk-started')).toHaveLength(0);
      for (const c of sleepers) await admin.query(`KILL QUERY ${c.threadId}`);
      await Promise.all(sleeping);
      const result = await run;
      expect(result.rows).toBe(40_000);
      expect(events.some((e) => e.type === 'throttle' && e.state === 'resumed')).toBe(true);
    } finally {
      await Promise.all(sleepers.map((c) => c.end().catch(() => undefined)));
      await admin.end();
    }
  });

  it('refuses a rate below 1M and a limit the restore itself reaches', async () => {
    for (const [given, option] of [[{ maxRate: '900K' }, 'maxRate'], [{ threads: 2, maxThreadsRunning: 3 }, 'maxThreadsRunning']] as const) {
      const error = await restore({ from: plain, target: uri, rename: { [db.name]: `${db.name}_x` }, ...given }).catch((e: unknown) => e);
      expect(isParadumpError(error, 'BAD_OPTION'), String(error)).toBe(true);
      expect((error as { details: { path: string } }).details.path).toBe(option);
    }
  });
});

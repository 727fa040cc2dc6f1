import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { createTestDatabase, quoteIdent, type TestDatabase } from '../../test/harness/db.ts';
import { startRedis, type RedisServer } from '../../test/harness/redis.ts';
import { createTestStore, type TestStore } from '../../test/harness/store.ts';
import { killWorkerChildren, startWorkerChild, type WorkerChild } from '../../test/harness/worker-child.ts';
import { restore } from '../restore/restore.ts';
import { verify } from '../restore/verify.ts';
import { runExecutor, type RunExecutor } from '../runs/run-executor.ts';
import { addServer } from '../runs/servers.ts';
import { startDump } from '../runs/start-dump.ts';
import { startThrowawayServer, type ThrowawayServer } from '../sandbox/throwaway-server.ts';
import { getPrisma } from '../store/prisma.ts';
import { installRunExecutor } from './install.ts';

// The scaled-out deployment as issue 21 describes it: the store on PostgreSQL, two worker processes,
// three source servers, a per-server limit of 1, and one worker killed (-9) mid-dump.
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-scale-'));
const allLines: string[] = [];
let redis: RedisServer;
let store: TestStore;
let executor: RunExecutor | null;
const extraServers: ThrowawayServer[] = [];
const sources: { uri: string; serverId: string; db: TestDatabase }[] = [];

async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function checksum(uri: string, database: string, table: string): Promise<string> {
  const c = await mysql.createConnection(uri);
  try {
    const [rows] = await c.query(`CHECKSUM TABLE ${quoteIdent(database)}.${quoteIdent(table)} EXTENDED`);
    return String((rows as { Checksum: unknown }[])[0]!.Checksum);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  redis = await startRedis();
  store = await createTestStore('postgresql');
  process.env.PARADUMP_DUMP_ROOT = dir;
  process.env.PARADUMP_SECRET = 'scale-out-test-secret-0123456789';
  process.env.PARADUMP_REDIS_URL = redis.url;
  executor = installRunExecutor({ url: redis.url });
  extraServers.push(...(await Promise.all([startThrowawayServer({ serverId: 21 }), startThrowawayServer({ serverId: 22 })])));
  const uris = [inject('mariadbUri'), ...extraServers.map((s) => s.uri)];
  for (const [i, uri] of uris.entries()) {
    const db = await createTestDatabase(uri, 'scale');
    await createChunkTable({ uri, db: db.name, table: 'orders', rows: 20_000 });
    // Long enough with one thread that its worker can be killed mid-dump.
    if (i === 0) await createChunkTable({ uri, db: db.name, table: 'big', rows: 300_000, padLength: 120 });
    const u = new URL(uri);
    const { id } = await addServer({ name: `scale source ${i}`, host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
    sources.push({ uri, serverId: id, db });
  }
});

afterAll(async () => {
  if (process.env.PARADUMP_TEST_VERBOSE) console.log(allLines.join('\n'));
  killWorkerChildren();
  await executor?.close();
  for (const s of sources) await s.db.drop().catch(() => undefined);
  await Promise.all(extraServers.map((s) => s.stop()));
  await store?.drop();
  await redis?.stop();
  delete process.env.PARADUMP_REDIS_URL;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * When the run first began on a worker: its first "Started on …" log line, or "Resumed (attempt …"
 * when the killed worker died before its first batched write recorded the start.
 */
async function startedAt(runId: string): Promise<Date> {
  const line = await getPrisma().runLog.findFirstOrThrow({ where: { runId, OR: [{ message: { startsWith: 'Started on ' } }, { message: { startsWith: 'Resumed (attempt ' } }] }, orderBy: { at: 'asc' }, select: { at: true } });
  return line.at;
}

describe('scaled out: the store on PostgreSQL, two workers, three servers', () => {
  it('ten runs with one run per server at a time finish once each with correct manifests; a worker killed mid-dump hands its job to the other', async () => {
    expect(runExecutor().mode).toBe('queue');
    const workerArgs = ['--concurrency', '2', '--server-concurrency', '1'];
    const workers: WorkerChild[] = [startWorkerChild({ args: workerArgs, log: allLines }), startWorkerChild({ args: workerArgs, log: allLines })];
    await Promise.all(workers.map((w) => w.saw('running (')));

    const dump = (i: number, table: string, chunkRows: number) => startDump({ serverId: sources[i]!.serverId, databases: [], tables: [`${sources[i]!.db.name}.${table}`], threads: 1, chunkRows, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    // The long one first, so it is running (not waiting for its server) when its worker is killed.
    const big = await dump(0, 'big', 5_000);
    const runs = [{ ...big, source: 0, table: 'big' }];
    for (let n = 0; n < 9; n++) runs.push({ ...(await dump(n % 3, 'orders', 1_000)), source: n % 3, table: 'orders' });

    const startedOn = (id: string) => workers.filter((w) => w.lines.some((l) => l.includes(`dump ${id}: started`)));
    const victim = (await poll('the big dump to start on a worker', () => Promise.resolve(startedOn(big.id)), (ws) => ws.length === 1))[0]!;
    const before = await poll('chunks of the big dump done', () => getPrisma().run.findUniqueOrThrow({ where: { id: big.id } }), (r) => r.chunksDone >= 3);
    expect(before.chunksDone).toBeLessThan(before.chunksTotal);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const onVictim = new Set(runs.filter((r) => victim.lines.some((l) => l.includes(`dump ${r.id}: started`))).map((r) => r.id));
    const survivor = workers.find((w) => w !== victim)!;

    await Promise.all(runs.map((r) => r.finished));
    const rows = await getPrisma().run.findMany({ where: { id: { in: runs.map((r) => r.id) } }, select: { id: true, status: true, attempt: true, chunksDone: true, chunksTotal: true, outDir: true, serverId: true, finishedAt: true } });
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row, row.id).toMatchObject({ status: 'succeeded', chunksDone: row.chunksTotal });
      // One attempt each, a second only for what the killed worker was running; each attempt started once.
      expect(row.attempt === 1 || (row.attempt === 2 && onVictim.has(row.id)), `${row.id} attempt ${row.attempt}`).toBe(true);
      expect(workers.flatMap((w) => w.lines).filter((l) => l.includes(`dump ${row.id}: started`))).toHaveLength(row.attempt);
      expect(await getPrisma().runLog.count({ where: { runId: row.id, code: 'STALLED' } })).toBe(row.attempt - 1);
    }
    expect(rows.find((r) => r.id === big.id)?.attempt).toBe(2);
    expect(survivor.lines.some((l) => l.includes(`dump ${big.id}: ended`))).toBe(true);

    // At no moment two runs of one server: per server, each run began after the one before had ended.
    for (const { serverId } of sources) {
      const spans = await Promise.all(rows.filter((r) => r.serverId === serverId).map(async (r) => ({ id: r.id, from: (await startedAt(r.id)).getTime(), to: r.finishedAt!.getTime() })));
      spans.sort((a, b) => a.from - b.from);
      expect(spans.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.from, `${spans[i]!.id} began before ${spans[i - 1]!.id} ended`).toBeGreaterThanOrEqual(spans[i - 1]!.to);
    }

    // Every manifest's chunks hash as their source's rows do.
    for (const r of runs.filter((x) => x.table === 'orders')) {
      const row = rows.find((x) => x.id === r.id)!;
      const report = await verify({ from: row.outDir, target: sources[r.source]!.uri, threads: 2 });
      expect(report, r.id).toMatchObject({ ok: true, mismatched: 0, chunks: row.chunksTotal });
    }
    // The run taken over restores to exactly the source's rows.
    const source = sources[0]!;
    const copy = `${source.db.name}_copy`;
    await restore({ from: rows.find((x) => x.id === big.id)!.outDir, target: source.uri, rename: { [source.db.name]: copy }, threads: 2, stateDir: path.join(dir, 'restore-state') });
    try {
      expect(await checksum(source.uri, copy, 'big')).toBe(await checksum(source.uri, source.db.name, 'big'));
    } finally {
      const c = await mysql.createConnection(source.uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)}`);
      await c.end();
    }
    expect(await survivor.stop()).toBe(0);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { createTestDatabase, quoteIdent, type TestDatabase } from '../../test/harness/db.ts';
import { startRedis, type RedisServer } from '../../test/harness/redis.ts';
import { killWorkerChildren, startWorkerChild } from '../../test/harness/worker-child.ts';
import { restore } from '../restore/restore.ts';
import { verify } from '../restore/verify.ts';
import { openRunStream } from '../runs/open-run-stream.ts';
import { runExecutor, type RunExecutor } from '../runs/run-executor.ts';
import { StreamMessage } from '../runs/schemas.ts';
import { addServer } from '../runs/servers.ts';
import { startDump } from '../runs/start-dump.ts';
import { startRestore } from '../runs/start-restore.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { startDrill } from '../drills/drill-service.ts';
import { getDrill, saveDrillPolicy } from '../drills/drill-store.ts';
import { getPlanService, startPlanService } from '../plans/plan-service.ts';
import { savePlan, setPlanPaused } from '../plans/plan-store.ts';
import { readWorkers } from './heartbeat.ts';
import { installRunExecutor } from './install.ts';
import { connectRedis, keys } from './redis.ts';

const uri = inject('mariadbUri');
const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-workers-'));
const databasePath = path.join(dir, 'store.db');
let redis: RedisServer;
let executor: RunExecutor | null;
let db: TestDatabase;
let serverId: string;
const allLines: string[] = [];

const startWorker = () => startWorkerChild({ log: allLines });

async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runRow = (id: string) => getPrisma().run.findUniqueOrThrow({ where: { id }, select: { status: true, attempt: true, chunksDone: true, chunksTotal: true, errorCode: true, outDir: true } });

async function checksum(database: string, table: string): Promise<string> {
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
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = dir;
  process.env.PARADUMP_SECRET = 'workers-test-secret-0123456789';
  process.env.PARADUMP_REDIS_URL = redis.url;
  applyMigrations({ databasePath, migrationsDir: path.join(root, 'prisma/migrations') });
  executor = installRunExecutor({ url: redis.url });
  db = await createTestDatabase(uri, 'workers');
  await createChunkTable({ uri, db: db.name, table: 'small', rows: 5_000 });
  // Large enough that a one-thread gzip dump lasts seconds: there is time to kill its worker.
  await createChunkTable({ uri, db: db.name, table: 'big', rows: 600_000, padLength: 120 });
  const u = new URL(uri);
  serverId = (await addServer({ name: 'worker source', host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) })).id;
});

afterAll(async () => {
  if (process.env.PARADUMP_TEST_VERBOSE) console.log(allLines.join('\n'));
  killWorkerChildren();
  await executor?.close();
  await db?.drop();
  await getPrisma().$disconnect();
  await redis?.stop();
  delete process.env.PARADUMP_REDIS_URL;
  rmSync(dir, { recursive: true, force: true });
});

describe('runs on worker processes through BullMQ', () => {
  it('a dump enqueued by the dashboard runs on a worker; its progress arrives through Redis and the run record finishes', async () => {
    expect(runExecutor().mode).toBe('queue');
    const worker = startWorker();
    await worker.saw('running (');
    const { id, finished } = await startDump({ serverId, databases: [], tables: [`${db.name}.small`], threads: 2, chunkRows: 100, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    // The live page's stream, served here from the worker's changes (a mirror fed by Redis).
    await poll('the run to be live', async () => (await getPrisma().run.findUniqueOrThrow({ where: { id } })).status, (s) => s !== 'queued');
    const text = await new Response(await openRunStream({ id, lastEventId: null })).text();
    const messages = text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => StreamMessage.parse(JSON.parse(/^data: (.*)$/m.exec(b)![1]!)));
    expect(messages.at(-1)?.type).toBe('end');
    await finished;
    const row = await runRow(id);
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, chunksDone: row.chunksTotal });
    expect(row.chunksTotal).toBeGreaterThanOrEqual(50);
    const logs = await getPrisma().runLog.findMany({ where: { runId: id }, select: { message: true } });
    expect(logs.some((l) => l.message.startsWith('Started on '))).toBe(true);
    // The worker's heartbeat is on the dashboard's list.
    const client = connectRedis(redis.url);
    const workers = await readWorkers({ redis: client });
    client.disconnect();
    expect(workers.some((w) => w.pid === worker.child.pid && w.state === 'running' && w.version)).toBe(true);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('kill -9 of the worker mid-dump: a second worker takes the job over, resumes from the journal, and the restored data equals the source', async () => {
    const first = startWorker();
    await first.saw('running (');
    const { id, finished } = await startDump({ serverId, databases: [], tables: [`${db.name}.big`], threads: 1, chunkRows: 5_000, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    const before = await poll('chunks done on the first worker', () => runRow(id), (r) => r.chunksDone >= 3);
    expect(before.chunksDone).toBeLessThan(before.chunksTotal);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = startWorker();
    await finished;
    const row = await runRow(id);
    expect(row).toMatchObject({ status: 'succeeded', attempt: 2, chunksDone: row.chunksTotal });
    const logs = await getPrisma().runLog.findMany({ where: { runId: id }, select: { code: true, message: true } });
    expect(logs.some((l) => l.code === 'STALLED')).toBe(true);
    expect(logs.some((l) => l.message.includes('Resumed (attempt 2') && l.message.includes('chunks already written are verified and kept'))).toBe(true);
    // The resumed dump restores to exactly the source's rows.
    const copy = `${db.name}_copy`;
    await restore({ from: row.outDir, target: uri, rename: { [db.name]: copy }, threads: 2, stateDir: path.join(dir, 'restore-state') });
    try {
      expect(await checksum(copy, 'big')).toBe(await checksum(db.name, 'big'));
    } finally {
      const c = await mysql.createConnection(uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)}`);
      await c.end();
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM mid-dump: the worker takes no more jobs, hands the run back and exits; the next worker finishes it', async () => {
    const first = startWorker();
    await first.saw('running (');
    const { id, finished } = await startDump({ serverId, databases: [], tables: [`${db.name}.big`], threads: 1, chunkRows: 5_000, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    await poll('chunks done on the first worker', () => runRow(id), (r) => r.chunksDone >= 3);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.lines.some((l) => l.includes('handed back to the queue'))).toBe(true);
    const handedBack = await runRow(id);
    expect(handedBack).toMatchObject({ status: 'interrupted', errorCode: 'HANDED_BACK', attempt: 1 });
    const second = startWorker();
    await finished;
    expect(await runRow(id)).toMatchObject({ status: 'succeeded', attempt: 2 });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('Redis restarted mid-dump: the worker and the dashboard reconnect, the run finishes once, with a manifest that matches the source', async () => {
    const worker = startWorker();
    await worker.saw('running (');
    const { id, finished } = await startDump({ serverId, databases: [], tables: [`${db.name}.big`], threads: 1, chunkRows: 5_000, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    const before = await poll('chunks done before the restart', () => runRow(id), (r) => r.chunksDone >= 3);
    expect(before.chunksDone).toBeLessThan(before.chunksTotal);
    const oldPid = redis.pid;
    await redis.restart({ downMs: 500 });
    expect(redis.pid).not.toBe(oldPid);
    // Its connections said they were lost and came back (not an unhandled error, not an exit).
    await worker.saw('Redis connection (worker');
    await poll('the worker to reconnect', () => Promise.resolve(allLines.some((l) => l.startsWith(`${worker.child.pid} stderr:`) && l.includes(') back'))), (ok) => ok, 30_000);
    expect((await runRow(id)).chunksDone).toBeLessThan(before.chunksTotal);
    // The dashboard hears the job's end through its reconnected queue events.
    await finished;
    const row = await runRow(id);
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, chunksDone: row.chunksTotal, errorCode: null });
    expect(worker.child.exitCode).toBeNull();
    expect(worker.lines.filter((l) => l.includes(`dump ${id}: started`))).toHaveLength(1);
    const logs = await getPrisma().runLog.findMany({ where: { runId: id }, select: { code: true } });
    expect(logs.some((l) => l.code === 'STALLED')).toBe(false);
    expect(await getPrisma().runChunk.count({ where: { table: { runId: id }, state: { not: 'done' } } })).toBe(0);
    // Every chunk in the manifest hashes as the source's rows do.
    const report = await verify({ from: row.outDir, target: uri, threads: 2 });
    expect(report).toMatchObject({ ok: true, mismatched: 0 });
    expect(report.chunks).toBe(row.chunksTotal);
    expect(await worker.stop()).toBe(0);
  });

  it('a restore submitted through the queue runs on a worker; its chunks, log and end arrive in the store', async () => {
    const worker = startWorker();
    await worker.saw('running (');
    const dumped = await startDump({ serverId, databases: [], tables: [`${db.name}.small`], threads: 2, chunkRows: 500, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    await dumped.finished;
    const copy = `${db.name}_restored`;
    try {
      const { id, finished } = await startRestore({ sourceRunId: dumped.id, targetServerId: serverId, rename: { [db.name]: copy }, tables: [], threads: 2, verify: true, dropExisting: false });
      // Queued here, not run here: the worker claims it.
      expect(runExecutor().mode).toBe('queue');
      await finished;
      expect(worker.lines.some((l) => l.includes(`restore ${id}: started`))).toBe(true);
      const row = await getPrisma().run.findUniqueOrThrow({ where: { id }, select: { kind: true, status: true, attempt: true, chunksDone: true, chunksTotal: true, errorCode: true } });
      expect(row).toMatchObject({ kind: 'restore', status: 'succeeded', attempt: 1, errorCode: null, chunksDone: row.chunksTotal });
      expect(row.chunksTotal).toBe(10);
      expect(await getPrisma().runChunk.count({ where: { table: { runId: id }, state: 'done' } })).toBe(10);
      const logs = await getPrisma().runLog.findMany({ where: { runId: id }, select: { message: true } });
      expect(logs.some((l) => l.message.startsWith('Started on '))).toBe(true);
      expect(await checksum(copy, 'small')).toBe(await checksum(db.name, 'small'));
    } finally {
      const c = await mysql.createConnection(uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)}`);
      await c.end();
    }
    expect(await worker.stop()).toBe(0);
  });

  it('a restore drill submitted through the queue runs on a worker and its record finishes in the store', async () => {
    const worker = startWorker();
    await worker.saw('running (');
    const { id: planId } = await savePlan({ input: { name: 'drilled on a worker', serverId, databases: [], tables: [`${db.name}.small`], dump: { threads: 2, chunkRows: 1000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false } } });
    const backup = await startDump({ serverId, databases: [], tables: [`${db.name}.small`], threads: 2, chunkRows: 1000, compress: 'gzip', lock: 'snapshot', outDir: undefined, plan: { id: planId, scheduledFor: null } });
    await backup.finished;
    // The scratch server is the source itself: the prefix keeps the drill's copy apart.
    await saveDrillPolicy({ planId, input: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId }, prefix: 'wd_', checks: [{ name: 'all rows', sql: 'SELECT COUNT(*) FROM small', compare: '=', expected: '5000' }] } });
    const { id, finished } = await startDrill({ planId, trigger: 'manual' });
    await finished;
    expect(worker.lines.some((l) => l.includes(`drill ${id}: started`))).toBe(true);
    const drill = await getDrill({ id });
    expect(drill).toMatchObject({ status: 'succeeded', sourceRunId: backup.id, chunks: 5, rows: 5_000 });
    expect(drill.checks).toMatchObject([{ name: 'all rows', ok: true }]);
    expect(await worker.stop()).toBe(0);
  });

  it('kill -9 of the worker mid-restore: the other worker takes it over and resumes the load from the restore journal', async () => {
    const first = startWorker();
    await first.saw('running (');
    const dumped = await startDump({ serverId, databases: [], tables: [`${db.name}.big`], threads: 2, chunkRows: 5_000, compress: 'gzip', lock: 'snapshot', outDir: undefined });
    await dumped.finished;
    const copy = `${db.name}_taken_over`;
    try {
      const { id, finished } = await startRestore({ sourceRunId: dumped.id, targetServerId: serverId, rename: { [db.name]: copy }, tables: [], threads: 1, verify: true, dropExisting: false, deferIndexes: false });
      const before = await poll('chunks loaded on the first worker', () => runRow(id), (r) => r.chunksDone >= 3);
      expect(before.chunksDone).toBeLessThan(before.chunksTotal);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = startWorker();
      await finished;
      const row = await runRow(id);
      expect(row).toMatchObject({ status: 'succeeded', attempt: 2, errorCode: null, chunksDone: row.chunksTotal });
      expect(second.lines.some((l) => l.includes(`restore ${id}: started`))).toBe(true);
      const logs = await getPrisma().runLog.findMany({ where: { runId: id }, select: { code: true, message: true } });
      expect(logs.some((l) => l.code === 'STALLED')).toBe(true);
      expect(logs.some((l) => l.message.startsWith('Resumed (attempt 2 on ') && l.message.includes('chunks already loaded are kept'))).toBe(true);
      expect(await checksum(copy, 'big')).toBe(await checksum(db.name, 'big'));
      expect(await second.stop()).toBe(0);
    } finally {
      const c = await mysql.createConnection(uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)}`);
      await c.end();
    }
  });

  it('with Redis, a plan is scheduled by a BullMQ job scheduler: its cron slot fires from Redis and the backup runs on a worker; paused, the scheduler is gone', async () => {
    const worker = startWorker();
    await worker.saw('running (');
    const { id: planId } = await savePlan({ input: { name: 'every minute on a worker', serverId, databases: [], tables: [`${db.name}.small`], dump: { threads: 2, chunkRows: 1000 }, schedule: { cron: '* * * * *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false } } });
    const client = connectRedis(redis.url);
    const queue = new Queue(keys.planQueue, { connection: client });
    await startPlanService({ tickMs: 250 });
    try {
      const schedulers = await poll('the plan’s job scheduler', () => queue.getJobSchedulers(0, -1), (list) => list.some((x) => x.key === `plan-${planId}`));
      expect(schedulers.find((x) => x.key === `plan-${planId}`)).toMatchObject({ pattern: '* * * * *', tz: 'UTC' });
      // The next minute: the job scheduler's job wakes the plan scheduler, which starts the backup.
      const run = await poll('the scheduled run to succeed', () => getPrisma().run.findFirst({ where: { planId, status: 'succeeded' }, select: { id: true, scheduledFor: true } }), (r) => r !== null, 100_000);
      expect(run!.scheduledFor?.getUTCSeconds()).toBe(0);
      expect(worker.lines.some((l) => l.includes(`dump ${run!.id}: started`))).toBe(true);
      expect(await queue.getCompletedCount()).toBeGreaterThanOrEqual(1);
      await setPlanPaused({ id: planId, paused: true });
      await poll('the paused plan’s scheduler to go', () => queue.getJobSchedulers(0, -1), (list) => !list.some((x) => x.key === `plan-${planId}`));
    } finally {
      await getPlanService()?.stop();
      await queue.close();
      client.disconnect();
    }
    expect(await worker.stop()).toBe(0);
  });
});

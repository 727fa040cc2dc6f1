import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/db.ts';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { cancelRun, markInterruptedRuns, resumeRun } from './control-run.ts';
import { isParadumpError } from '../core/errors.ts';
import { getRunView, loadRunState, loadRunView, loadTableChunks } from './load-run-state.ts';
import { applyViewDeltas, toRunView } from './run-view.ts';
import { openRunStream } from './open-run-stream.ts';
import { computeProgress } from './progress.ts';
import { getLiveRun } from './registry.ts';
import { StreamMessage, type RunView } from './schemas.ts';
import { addServer, listServers } from './servers.ts';
import { startDump } from './start-dump.ts';
import { startRestore } from './start-restore.ts';
import { readDumpRequest } from '../core/dump-request-file.ts';

const uri = inject('mariadbUri');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-runs-'));
const databasePath = path.join(dir, 'store.db');
let db: TestDatabase;
let serverId: string;
let firstDumpId: string;

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = dir;
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  db = await createTestDatabase(uri, 'runs');
  await createChunkTable({ uri, db: db.name, table: 'items', rows: 12_000 });
  await createChunkTable({ uri, db: db.name, table: 'tags', rows: 900, key: 'varchar' });
  const u = new URL(uri);
  const server = await addServer({ name: 'test source', host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
  serverId = server.id;
});

afterAll(async () => {
  await db?.drop();
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with every message once the run's stream ends. */
async function collect(id: string, lastEventId: string | null = null): Promise<{ id: string | null; message: StreamMessage }[]> {
  const stream = await openRunStream({ id, lastEventId });
  const text = await new Response(stream).text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const idLine = /^id: (.*)$/m.exec(block)?.[1] ?? null;
      return { id: idLine, message: StreamMessage.parse(JSON.parse(/^data: (.*)$/m.exec(block)![1]!)) };
    });
}

function replay(messages: { message: StreamMessage }[]): RunView {
  let state: RunView | null = null;
  for (const { message } of messages) {
    if (message.type === 'snapshot') state = message.state;
    else if (message.type === 'frame' && state) state = applyViewDeltas(state, message.deltas);
  }
  return state!;
}

describe('lib/runs', () => {
  it('keeps the password out of everything it returns', async () => {
    const servers = await listServers();
    expect(servers).toHaveLength(1);
    expect(servers[0]).not.toHaveProperty('password');
  });

  it('runs a dump, persists tables, chunks, locks and samples, and streams it live', async () => {
    const outDir = path.join(dir, 'dump-1');
    const { id } = await startDump({ serverId, databases: [db.name], tables: [], threads: 2, chunkRows: 1000, lock: 'snapshot', compress: 'gzip', format: 'tsv', outDir });
    firstDumpId = id;
    const live = getLiveRun(id);
    expect(live).toBeDefined();
    const messages = await collect(id);
    expect(messages[0]?.message.type).toBe('snapshot');
    expect(messages.at(-1)?.message.type).toBe('end');
    const streamed = replay(messages);
    expect(streamed.status).toBe('succeeded');

    const stored = await loadRunState({ id });
    expect(stored.status).toBe('succeeded');
    expect(stored.hasManifest).toBe(true);
    expect(existsSync(path.join(outDir, MANIFEST_FILE))).toBe(true);
    const progress = computeProgress(stored);
    expect(progress.rows).toBe(12_900);
    expect(progress.chunksDone).toBe(progress.chunks);
    expect(progress.percent).toBe(100);
    const items = stored.tables.find((t) => t.table === 'items')!;
    expect(items.chunks.length).toBeGreaterThanOrEqual(10);
    expect(items.chunks[0]).toMatchObject({ state: 'done', lower: null, worker: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(items.chunks[1]?.lower).toEqual(items.chunks[0]?.upper);
    expect(stored.locks.length).toBeGreaterThan(0);
    expect(stored.locks.every((l) => l.waitMs !== null && l.releasedAt !== null)).toBe(true);
    expect(stored.snapshots).toHaveLength(1);
    // What was streamed is what was stored, and the store's own per-table counts agree.
    const countsOf = (s: RunView) => Object.fromEntries(s.tables.map((t) => [t.table, t.counts]));
    expect(countsOf(streamed)).toEqual(countsOf(toRunView(stored)));
    expect(countsOf(await loadRunView({ id }))).toEqual(countsOf(streamed));
    // The drill-down reads one table's chunks, a window at a time.
    const window = await loadTableChunks({ id, database: db.name, table: 'items', offset: 1, limit: 2 });
    expect(window.total).toBe(items.chunks.length);
    expect(window.chunks).toEqual(items.chunks.slice(1, 3));
    const run = await getPrisma().run.findUniqueOrThrow({ where: { id } });
    expect(run).toMatchObject({ status: 'succeeded', rows: 12_900n, chunksDone: progress.chunks });
  });

  it('restores a dump into a renamed database as a run of its own, and verifies it', async () => {
    const target = `${db.name}_restored`;
    const { id } = await startRestore({ sourceRunId: firstDumpId, targetServerId: serverId, rename: { [db.name]: target }, tables: [], threads: 2, verify: true, dropExisting: false });
    const streamed = replay(await collect(id, null));
    expect(streamed.status).toBe('succeeded');
    try {
      const stored = await loadRunState({ id });
      expect(stored).toMatchObject({ kind: 'restore', status: 'succeeded', sourceRunId: firstDumpId, databases: [target], error: null });
      expect(computeProgress(stored)).toMatchObject({ rows: 12_900, percent: 100 });
      expect(stored.tables.every((t) => t.targetDatabase === target && t.chunks.every((c) => c.state === 'done'))).toBe(true);
      expect(stored.verification.map((v) => [v.table, v.ok === v.chunks, v.mismatched.length]).sort()).toEqual([
        ['items', true, 0],
        ['tags', true, 0],
      ]);
    } finally {
      const u = new URL(uri);
      const { Session } = await import('../mysql/session.ts');
      const s = await Session.open({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), tls: { mode: 'off' } });
      await s.exec(`DROP DATABASE IF EXISTS \`${target}\``);
      await s.close();
    }
  });

  it('cancels a dump, leaving it resumable, and resumes it to the same rows', async () => {
    const outDir = path.join(dir, 'dump-2');
    // Small chunks (~260) so the cancel lands while chunks remain: at 200 rows a fast machine finished first.
    const { id } = await startDump({ serverId, databases: [db.name], tables: [], threads: 1, chunkRows: 50, lock: 'snapshot', compress: 'none', outDir });
    const live = getLiveRun(id)!;
    await new Promise<void>((resolve) => {
      const off = live.subscribe((m) => {
        if (m.type === 'frame' && m.deltas.some((d) => d.type === 'tables' && d.tables.some((t) => t.counts.done > 0))) {
          queueMicrotask(() => off());
          resolve();
        }
      }, live.eventId);
    });
    cancelRun({ id });
    await collect(id, live.eventId);
    const cancelled = await loadRunState({ id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.code).toBe('ABORTED');
    expect(cancelled.hasManifest).toBe(false);
    const doneBefore = computeProgress(cancelled).chunksDone;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(computeProgress(cancelled).chunks);
    // What the run was asked is in its directory as the store has it: the engine's resume dumps that.
    expect((await readDumpRequest(outDir))?.options).toEqual(cancelled.options);
    expect(() => cancelRun({ id })).toThrow(expect.objectContaining({ code: 'NOT_RUNNING' }));

    await resumeRun({ id });
    await expect(resumeRun({ id })).rejects.toSatisfy((e) => isParadumpError(e, 'ALREADY_RUNNING'));
    const view = await getRunView({ id });
    expect(view.eventId).not.toBeNull();
    await collect(id, view.eventId);
    const resumed = await loadRunState({ id });
    expect(resumed).toMatchObject({ status: 'succeeded', attempt: 2, hasManifest: true, error: null });
    expect(computeProgress(resumed).rows).toBe(12_900);
    expect(resumed.log.some((e) => e.message.startsWith('Resumed (attempt 2)'))).toBe(true);
    await expect(resumeRun({ id })).rejects.toSatisfy((e) => isParadumpError(e, 'NOT_RESUMABLE'));
  });

  it('resumes a dump run stopped before the engine saved its request from the beginning, with the stored options', async () => {
    const outDir = path.join(dir, 'dump-never-began');
    const { id } = await startDump({ serverId, databases: [db.name], tables: [`${db.name}.tags`], threads: 1, chunkRows: 300, lock: 'snapshot', compress: 'gzip', outDir });
    cancelRun({ id });
    await collect(id, getLiveRun(id)?.eventId ?? null);
    expect((await loadRunState({ id })).status).toBe('cancelled');
    // As if the dashboard had died between saving the run and the engine's first write.
    rmSync(outDir, { recursive: true, force: true });
    await resumeRun({ id });
    await collect(id, (await getRunView({ id })).eventId);
    const resumed = await loadRunState({ id });
    expect(resumed).toMatchObject({ status: 'succeeded', attempt: 2, hasManifest: true });
    expect(resumed.log.some((e) => e.message.includes('it had stopped before it began'))).toBe(true);
    expect((await readDumpRequest(outDir))?.options).toMatchObject({ databases: [db.name], chunkRows: 300, compress: 'gzip' });
    expect(computeProgress(resumed).rows).toBe(12_900);
  });

  it('gives dumps started at once their own default directories, and refuses an asked-for one another run writes to', async () => {
    const base = { serverId, databases: [] as string[], tables: [`${db.name}.tags`], threads: 1, chunkRows: 300, lock: 'snapshot' as const, compress: 'none' as const, outDir: undefined };
    const started = await Promise.all([startDump(base), startDump(base), startDump(base)]);
    const outDirs = await Promise.all(started.map(async ({ id }) => (await getPrisma().run.findUniqueOrThrow({ where: { id }, select: { outDir: true } })).outDir));
    expect(new Set(outDirs).size).toBe(3);
    const outDir = path.join(dir, 'dump-asked-twice');
    const asked = await Promise.allSettled([startDump({ ...base, outDir }), startDump({ ...base, outDir })]);
    const refused = asked.flatMap((a) => (a.status === 'rejected' ? [a.reason as { code?: string; details?: { path?: string } }] : []));
    expect(refused.map((e) => [e.code, e.details?.path])).toEqual([['BAD_OPTION', 'outDir']]);
    const kept = asked.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    await Promise.all([...started, ...kept].map((r) => r.finished));
    for (const { id } of [...started, ...kept]) expect((await loadRunState({ id })).status).toBe('succeeded');
  });

  it('replays what a reconnecting client missed after its Last-Event-ID', async () => {
    const outDir = path.join(dir, 'dump-3');
    const { id } = await startDump({ serverId, databases: [db.name], tables: [], threads: 1, chunkRows: 500, lock: 'per-table', compress: 'none', outDir });
    const live = getLiveRun(id)!;
    const all = await collect(id, 'stale.0');
    expect(all[0]?.message.type).toBe('snapshot');
    const ids = all.map((m) => m.id);
    const middle = ids[Math.floor(ids.length / 2)]!;
    expect(live.ended).toBe(true);
    // Ended and gone from the registry: the stored state, then the end.
    const after = await collect(id, middle);
    expect(after.map((m) => m.message.type)).toEqual(['snapshot', 'end']);
    const state = replay(all);
    expect(state.locks.filter((l) => l.scope === 'table')).toHaveLength(2);
  });

  it('marks runs left running by a previous process as interrupted', async () => {
    const prisma = getPrisma();
    const run = await prisma.run.create({ data: { kind: 'dump', status: 'running', options: '{}', outDir: path.join(dir, 'ghost'), serverId } });
    expect(await markInterruptedRuns()).toContain(run.id);
    const state = await loadRunState({ id: run.id });
    expect(state.status).toBe('interrupted');
    expect(state.log.at(-1)?.code).toBe('INTERRUPTED');
  });
});

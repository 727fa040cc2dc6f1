import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { connect, createTestDatabase, quoteIdent, serverAddress, type TestDatabase } from '../../test/harness/db.ts';
import { isParadumpError } from '../core/errors.ts';
import { readManifest } from '../restore/read-manifest.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { canResume } from './can-resume.ts';
import { cancelRun, markInterruptedRuns, resumeRun } from './control-run.ts';
import { getRunView, loadRunState } from './load-run-state.ts';
import { openRunStream } from './open-run-stream.ts';
import { PitrTargetInput } from './pitr-target.ts';
import { computeProgress } from './progress.ts';
import { getLiveRun } from './registry.ts';
import { addServer } from './servers.ts';
import { startDump } from './start-dump.ts';
import { startRestore } from './start-restore.ts';

const uri = inject('mariadbUri');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-restore-runs-'));
const databasePath = path.join(dir, 'store.db');
const ROWS = 30_000;
const NEW_ROWS = 40;
let db: TestDatabase;
let serverId: string;
let dumpId: string;
let dumpDir: string;
const targets: string[] = [];

async function query<T>(sql: string): Promise<T[]> {
  const c = await connect(uri);
  try {
    const [rows] = await c.query(sql);
    return rows as T[];
  } finally {
    await c.end();
  }
}

/** Resolves once the run's stream ends (the run stopped and its state is stored). */
async function waitForEnd(id: string): Promise<void> {
  const live = getLiveRun(id);
  await new Response(await openRunStream({ id, lastEventId: live?.eventId ?? null })).text();
}

/** Resolves after the first chunk of a live run is done. */
function firstChunkDone(id: string): Promise<void> {
  const live = getLiveRun(id)!;
  return new Promise<void>((resolve) => {
    const off = live.subscribe((m) => {
      if (m.type === 'frame' && m.deltas.some((d) => d.type === 'tables' && d.tables.some((t) => t.counts.done > 0))) {
        queueMicrotask(() => off());
        resolve();
      }
    }, live.eventId);
  });
}

const target = (suffix: string) => {
  const name = `${db.name}_${suffix}`;
  targets.push(name);
  return name;
};

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = dir;
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  db = await createTestDatabase(uri, 'rruns');
  await createChunkTable({ uri, db: db.name, table: 'items', rows: ROWS });
  serverId = (await addServer({ name: 'restore source', ...serverAddress(uri) })).id;
  dumpDir = path.join(dir, 'dump');
  ({ id: dumpId } = await startDump({ serverId, databases: [db.name], tables: [], threads: 2, chunkRows: 200, lock: 'snapshot', compress: 'none', outDir: dumpDir }));
  await waitForEnd(dumpId);
  expect((await loadRunState({ id: dumpId })).status).toBe('succeeded');
  // Written after the backup: only a roll forward brings these to a restored copy.
  await query(`INSERT INTO ${quoteIdent(db.name)}.items (id, k, c, pad) SELECT ${ROWS} + seq, 7, 'after the backup', '' FROM ${quoteIdent(db.name)}.seq_1_to_${NEW_ROWS}`);
  await query(`UPDATE ${quoteIdent(db.name)}.items SET k = -1 WHERE id <= 5`);
});

afterAll(async () => {
  for (const name of targets) await query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  await db?.drop();
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const countsIn = async (database: string) => {
  const [row] = await query<{ n: number; changed: string | null; top: number }>(`SELECT COUNT(*) AS n, SUM(k = -1) AS changed, MAX(id) AS top FROM ${quoteIdent(database)}.items`);
  return { rows: Number(row!.n), changed: Number(row!.changed ?? 0), top: Number(row!.top) };
};

describe('restore runs with a point-in-time step, cancel and resume', () => {
  it('restores, verifies, then rolls forward to the end of the binlog: the new rows are in the target', async () => {
    const into = target('pitr');
    const { id } = await startRestore({ sourceRunId: dumpId, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 2, verify: true, dropExisting: false, pitr: PitrTargetInput.parse({ kind: 'end' }) });
    await waitForEnd(id);
    const state = await loadRunState({ id });
    expect(state).toMatchObject({ status: 'succeeded', error: null });
    expect(state.restoreOptions?.pitr).toMatchObject({ kind: 'end', until: 'end', sourceServerId: serverId, noBinlog: false });
    // Into the server it reads, the engine leaves its binary log alone, and the run log says so.
    expect(state.log.some((e) => e.message.includes('the target is the source itself'))).toBe(true);
    expect(state.verification.every((v) => v.ok === v.chunks && v.mismatched.length === 0)).toBe(true);
    expect(state.pitr).toMatchObject({ status: 'succeeded', replayStarted: true, error: null, stop: expect.stringContaining('end of the binary log') });
    expect(state.pitr?.replays).toEqual([expect.objectContaining({ database: db.name, targetDatabase: into, status: 'done', file: expect.stringMatching(/^binlog\.\d+$/), position: expect.any(Number), lastEventAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
    expect(state.pitr!.transactions).toBeGreaterThanOrEqual(2);
    expect(await countsIn(into)).toEqual({ rows: ROWS + NEW_ROWS, changed: 5, top: ROWS + NEW_ROWS });
    expect(state.log.some((e) => e.message.startsWith('Rolled forward:'))).toBe(true);
    expect(canResume(state)).toBe(false);
  });

  it('refuses a stop point before the backup before loading anything, naming the field', async () => {
    const { manifest } = await readManifest(dumpDir);
    const before = `${manifest.consistency.binlog!.file}:4`;
    const into = target('early');
    const error = await startRestore({ sourceRunId: dumpId, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 1, verify: true, dropExisting: false, pitr: PitrTargetInput.parse({ kind: 'position', value: before }) }).catch((e: unknown) => e);
    expect(isParadumpError(error, 'BAD_OPTION')).toBe(true);
    expect((error as { details: { path: string } }).details.path).toBe('pitr.value');
    expect((error as Error).message).toMatch(/before the dump's snapshot/);
    expect(await query(`SHOW DATABASES LIKE '${into}'`)).toHaveLength(0);
  });

  it('cancels a restore mid-way, keeps it resumable, and resumes it on the same target: loaded chunks kept, indexes built after, then verified and rolled forward', async () => {
    const into = target('resume');
    const { id } = await startRestore({ sourceRunId: dumpId, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 1, verify: true, dropExisting: false, deferIndexes: true, pitr: PitrTargetInput.parse({ kind: 'end' }) });
    await firstChunkDone(id);
    cancelRun({ id });
    await waitForEnd(id);
    const cancelled = await loadRunState({ id });
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'ABORTED' } });
    expect(cancelled.pitr).toMatchObject({ status: 'skipped', replayStarted: false, reason: expect.stringContaining('cancelled before the roll forward') });
    const loaded = computeProgress(cancelled);
    expect(loaded.chunksDone).toBeGreaterThan(0);
    expect(loaded.chunksDone).toBeLessThan(loaded.chunks);
    expect(canResume(cancelled)).toBe(true);

    await resumeRun({ id });
    await expect(resumeRun({ id })).rejects.toSatisfy((e) => isParadumpError(e, 'ALREADY_RUNNING'));
    const view = await getRunView({ id });
    expect(view.eventId).not.toBeNull();
    // The chunk map of the resumed run starts with the chunks the first attempt loaded.
    expect(computeProgress(view.state).chunksDone).toBeGreaterThanOrEqual(loaded.chunksDone);
    await waitForEnd(id);
    const resumed = await loadRunState({ id });
    expect(resumed).toMatchObject({ status: 'succeeded', attempt: 2, error: null });
    expect(computeProgress(resumed)).toMatchObject({ rows: ROWS, percent: 100 });
    expect(resumed.tables.every((t) => t.chunks.every((c) => c.state === 'done'))).toBe(true);
    expect(resumed.verification.map((v) => [v.table, v.ok === v.chunks, v.mismatched.length])).toEqual([['items', true, 0]]);
    expect(resumed.pitr).toMatchObject({ status: 'succeeded', replayStarted: true });
    expect(resumed.log.some((e) => e.message.startsWith('Resumed (attempt 2): chunks already loaded are kept'))).toBe(true);
    expect(await countsIn(into)).toEqual({ rows: ROWS + NEW_ROWS, changed: 5, top: ROWS + NEW_ROWS });
    // The secondary index left out while loading (deferred) was added once the rows were in.
    expect(cancelled.restoreOptions).toMatchObject({ deferIndexes: true });
    expect(await query<{ Key_name: string }>(`SHOW INDEX FROM ${quoteIdent(into)}.items WHERE Key_name = 'k_k'`)).toHaveLength(1);
    await expect(resumeRun({ id })).rejects.toSatisfy((e) => isParadumpError(e, 'NOT_RESUMABLE'));
  });

  it('resumes a restore the dashboard stopped mid-way (interrupted at start-up)', async () => {
    const into = target('restart');
    const { id } = await startRestore({ sourceRunId: dumpId, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 1, verify: true, dropExisting: false });
    await firstChunkDone(id);
    // As if the process died: the engine stops, the store still says running.
    cancelRun({ id });
    await waitForEnd(id);
    await getPrisma().run.update({ where: { id }, data: { status: 'running', finishedAt: null, errorCode: null, errorMessage: null } });
    expect(await markInterruptedRuns()).toContain(id);
    const interrupted = await loadRunState({ id });
    expect(interrupted).toMatchObject({ status: 'interrupted', pitr: null });
    expect(canResume(interrupted)).toBe(true);
    await resumeRun({ id });
    await waitForEnd(id);
    expect(await loadRunState({ id })).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(await countsIn(into)).toEqual({ rows: ROWS, changed: 0, top: ROWS });
  });
});

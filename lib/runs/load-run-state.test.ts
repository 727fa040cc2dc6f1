import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { markInterruptedRuns } from './control-run.ts';
import { loadRunState, loadRunView, loadTableChunks } from './load-run-state.ts';
import { storeIds } from './recorder.ts';

// A run of many tables with many chunks, written straight into a real SQLite store: the shape a
// schema-per-tenant server leaves (issue 22: 3000 tables made the run page fail with P2029).
const TABLES = 4_000;
const CHUNKS_PER_TABLE = 10;
const RUN_ID = 'run-40k';

const dir = mkdtempSync(path.join(tmpdir(), 'paradump-load-'));
const databasePath = path.join(dir, 'store.db');

beforeAll(() => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  const db = new Database(databasePath);
  try {
    db.prepare(`INSERT INTO "Run" ("id", "kind", "status", "options", "outDir", "startedAt", "finishedAt") VALUES (?, 'dump', 'interrupted', '{}', ?, ?, ?)`).run(
      RUN_ID,
      path.join(dir, 'out'),
      '2026-12-06T10:00:00.000+00:00',
      '2026-12-06T10:05:00.000+00:00',
    );
    const table = db.prepare(`INSERT INTO "RunTable" ("id", "runId", "database", "table", "chunkKey", "rowsEstimate", "status") VALUES (?, ?, ?, ?, '["id"]', 200, ?)`);
    const chunk = db.prepare(`INSERT INTO "RunChunk" ("id", "tableId", "index", "lower", "upper", "state", "rows", "bytes") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    db.transaction(() => {
      for (let t = 0; t < TABLES; t++) {
        const name = `t${String(t).padStart(5, '0')}`;
        const tableId = storeIds.table(RUN_ID, 'many', name);
        table.run(tableId, RUN_ID, 'many', name, t === 0 ? 'running' : 'done');
        for (let i = 0; i < CHUNKS_PER_TABLE; i++) {
          // Table 0 stopped mid-way: one chunk was being written when the run was interrupted.
          const state = t === 0 && i === 1 ? 'running' : t === 0 && i > 1 ? 'pending' : 'done';
          chunk.run(storeIds.chunk(tableId, i), tableId, i, i === 0 ? null : JSON.stringify([i * 20]), i === CHUNKS_PER_TABLE - 1 ? null : JSON.stringify([(i + 1) * 20]), state, state === 'pending' ? 0 : 20, state === 'pending' ? 0 : 512);
        }
      }
    })();
  } finally {
    db.close();
  }
});

afterAll(async () => {
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('loadRunState at scale', () => {
  it(`loads a run of ${TABLES} tables and ${TABLES * CHUNKS_PER_TABLE} chunks`, async () => {
    const state = await loadRunState({ id: RUN_ID });
    expect(state.tables).toHaveLength(TABLES);
    expect(state.tables.reduce((n, t) => n + t.chunks.length, 0)).toBe(TABLES * CHUNKS_PER_TABLE);
    const first = state.tables[0]!;
    expect(first.table).toBe('t00000');
    expect(first.chunks.map((c) => c.index)).toEqual([...Array(CHUNKS_PER_TABLE).keys()]);
    // The chunk that was being written when the run stopped is to do again.
    expect(first.chunks[1]).toMatchObject({ state: 'pending', rows: 0 });
    expect(state.tables.at(-1)!.chunks.at(-1)).toMatchObject({ index: CHUNKS_PER_TABLE - 1, state: 'done', rows: 20, lower: [180], upper: null });
  });

  it('summarises it per table for the run page, and reads one table\'s chunks for the drill-down', async () => {
    const view = await loadRunView({ id: RUN_ID });
    expect(view.tables).toHaveLength(TABLES);
    expect(view.tables[0]!.counts).toEqual({ total: CHUNKS_PER_TABLE, done: 1, running: 0, rows: 20, bytes: 1024 });
    expect(view.tables.at(-1)!.counts).toEqual({ total: CHUNKS_PER_TABLE, done: CHUNKS_PER_TABLE, running: 0, rows: 200, bytes: 5120 });
    // Small enough for a page: the summary does not grow with chunks.
    expect(JSON.stringify(view).length).toBeLessThan(TABLES * 400);
    const window = await loadTableChunks({ id: RUN_ID, database: 'many', table: 't00000', offset: 0, limit: 3 });
    expect(window.total).toBe(CHUNKS_PER_TABLE);
    expect(window.chunks.map((c) => c.state)).toEqual(['done', 'pending', 'pending']);
  });

  it('marks a run of that size interrupted at start-up', async () => {
    await getPrisma().run.update({ where: { id: RUN_ID }, data: { status: 'running', finishedAt: null } });
    expect(await markInterruptedRuns()).toEqual([RUN_ID]);
    const running = await getPrisma().runChunk.count({ where: { table: { runId: RUN_ID }, state: 'running' } });
    expect(running).toBe(0);
    expect((await loadRunState({ id: RUN_ID })).status).toBe('interrupted');
  });
});

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, STORE_PROVIDERS, type TestStore } from '../../test/harness/store.ts';
import { getPrisma } from '../store/prisma.ts';
import { markInterruptedRuns } from './control-run.ts';
import { loadRunState, loadRunView, loadTableChunks } from './load-run-state.ts';
import { ROWS_PER_STATEMENT, RunRecorder } from './recorder.ts';
import { startedRunState } from './run-state.fixture.ts';
import type { ChunkView, TableView } from './schemas.ts';

// A run of many tables with many chunks, written by the recorder into a real store, SQLite and
// PostgreSQL: the shape a schema-per-tenant server leaves (issue 22: 3000 tables made the run page
// fail with P2029), and thousands of chunk rows in one flush (batched writes, issue 21).
const TABLES = 4_000;
const CHUNKS_PER_TABLE = 10;
const RUN_ID = 'run-40k';

function table(t: number): TableView {
  const chunks: ChunkView[] = Array.from({ length: CHUNKS_PER_TABLE }, (_, i) => {
    // Table 0 stopped mid-way: one chunk was being written when the run was interrupted.
    const state = t === 0 && i === 1 ? 'running' : t === 0 && i > 1 ? 'pending' : 'done';
    return { index: i, lower: i === 0 ? null : [i * 20], upper: i === CHUNKS_PER_TABLE - 1 ? null : [(i + 1) * 20], state, rows: state === 'pending' ? 0 : 20, bytes: state === 'pending' ? 0 : 512, sha256: null, durationMs: state === 'done' ? 1.5 : null, worker: state === 'pending' ? null : 1 };
  });
  return { database: 'many', table: `t${String(t).padStart(5, '0')}`, targetDatabase: null, chunkKey: ['id'], rowsEstimate: 200, bytesEstimate: 0, status: t === 0 ? 'running' : 'done', skip: null, chunks };
}

describe.each(STORE_PROVIDERS)('loadRunState at scale (%s)', (provider) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await createTestStore(provider);
    await getPrisma().run.create({ data: { id: RUN_ID, kind: 'dump', status: 'running', options: '{}', outDir: path.join('/tmp', 'out-40k'), startedAt: new Date('2026-12-06T10:00:00.000Z') } });
    const state = startedRunState({ id: RUN_ID, status: 'interrupted', finishedAt: '2026-12-06T10:05:00.000Z', tables: Array.from({ length: TABLES }, (_, t) => table(t)) });
    const recorder = new RunRecorder({ runId: RUN_ID, attempt: 1, getState: () => state, knownTables: [] });
    for (const t of state.tables) recorder.record({ type: 'table', table: t });
    const started = performance.now();
    await recorder.flush();
    console.log(`${provider}: ${TABLES} tables and ${TABLES * CHUNKS_PER_TABLE} chunks in one flush (${Math.ceil((TABLES * CHUNKS_PER_TABLE) / ROWS_PER_STATEMENT)} chunk statements): ${Math.round(performance.now() - started)} ms`);
  });

  afterAll(async () => {
    await store.drop();
  });

  it('writes every table and chunk in one flush', async () => {
    expect(await getPrisma().runTable.count({ where: { runId: RUN_ID } })).toBe(TABLES);
    expect(await getPrisma().runChunk.count({ where: { table: { runId: RUN_ID } } })).toBe(TABLES * CHUNKS_PER_TABLE);
    expect(await getPrisma().run.findUniqueOrThrow({ where: { id: RUN_ID } })).toMatchObject({ status: 'interrupted', chunksTotal: TABLES * CHUNKS_PER_TABLE, tablesTotal: TABLES });
  });

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

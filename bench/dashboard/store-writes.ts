// npx tsx bench/dashboard/store-writes.ts [--tables 3000] [--chunks 20000] [--window 2000]
// The dashboard's side of a big live dump, without the engine: a run of `tables` tables and `chunks`
// chunks is planned, then every chunk starts, reports progress and finishes, as the engine's events
// would arrive. Events go through the live run (state, store recorder, stream) and the recorder's
// flush runs after every `window` events, as its one-second timer would. Prints the time spent
// applying events and the time spent writing the store (SQLite is synchronous: all of it blocks).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DumpEvent } from '../../lib/engine/events.ts';
import { dumpEventToDeltas } from '../../lib/runs/dump-deltas.ts';
import { loadRunState } from '../../lib/runs/load-run-state.ts';
import { LiveRun } from '../../lib/runs/registry.ts';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { getPrisma } from '../../lib/store/prisma.ts';

const { values } = parseArgs({ options: { tables: { type: 'string' }, chunks: { type: 'string' }, window: { type: 'string' } } });
const TABLES = Number(values.tables ?? 3000);
const CHUNKS = Number(values.chunks ?? 20_000);
const WINDOW = Number(values.window ?? 2000);

const dir = mkdtempSync(path.join(tmpdir(), 'paradump-store-bench-'));
const databasePath = path.join(dir, 'store.db');
process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });

function* events(): Generator<DumpEvent> {
  const per = Math.floor(CHUNKS / TABLES);
  const extra = CHUNKS - per * TABLES;
  const counts = Array.from({ length: TABLES }, (_, t) => per + (t < extra ? 1 : 0));
  const name = (t: number) => `t${String(t).padStart(5, '0')}`;
  yield { type: 'discovered', databases: 1, tables: TABLES, rowsEstimate: CHUNKS * 100, bytesEstimate: CHUNKS * 5000 };
  for (let t = 0; t < TABLES; t++) {
    const n = counts[t]!;
    yield {
      type: 'table-planned',
      database: 'many',
      table: name(t),
      chunkKey: ['id'],
      rowsEstimate: n * 100,
      bytesEstimate: n * 5000,
      chunks: Array.from({ length: n }, (_, i) => ({ index: i, lower: i === 0 ? null : [i * 100], upper: i === n - 1 ? null : [(i + 1) * 100] })),
    };
  }
  for (let t = 0; t < TABLES; t++) {
    const table = name(t);
    for (let i = 0; i < counts[t]!; i++) {
      yield { type: 'chunk-started', database: 'many', table, index: i, worker: 0 };
      yield { type: 'chunk-progress', database: 'many', table, index: i, worker: 0, rows: 50 };
      yield { type: 'chunk-finished', database: 'many', table, index: i, worker: 0, rows: 100, bytes: 5000, sha256: 'f'.repeat(64), durationMs: 3, file: `${table}.${i}.sql` };
    }
    yield { type: 'table-finished', database: 'many', table, rows: counts[t]! * 100, bytes: counts[t]! * 5000, chunks: counts[t]! };
  }
}

async function main(): Promise<void> {
  const run = await getPrisma().run.create({ data: { kind: 'dump', status: 'running', options: '{}', outDir: path.join(dir, 'out') }, select: { id: true } });
  const live = new LiveRun({ state: await loadRunState({ id: run.id }), knownTables: [] });
  let applyMs = 0;
  let storeMs = 0;
  let flushes = 0;
  let count = 0;
  const flush = async () => {
    const t0 = performance.now();
    await live.recorder!.flush();
    storeMs += performance.now() - t0;
    flushes += 1;
  };
  const started = performance.now();
  for (const event of events()) {
    const t0 = performance.now();
    for (const delta of dumpEventToDeltas({ state: live.live, event, attempt: 1 })) live.publish(delta);
    applyMs += performance.now() - t0;
    count += 1;
    if (count % WINDOW === 0) await flush();
  }
  await flush();
  const wallMs = performance.now() - started;
  const stored = await getPrisma().runChunk.count({ where: { table: { runId: run.id }, state: 'done' } });
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
  if (stored !== CHUNKS) throw new Error(`the store has ${stored} done chunks, expected ${CHUNKS}`);
  const result = { tables: TABLES, chunks: CHUNKS, events: count, flushes, applyMs: Math.round(applyMs), storeMs: Math.round(storeMs), wallMs: Math.round(wallMs) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();

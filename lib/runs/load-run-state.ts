import { ParadumpError } from '../core/errors.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KeyValue, MANIFEST_FILE } from '../core/manifest.ts';
import type { StoreProvider } from '../store/database-url.ts';
import { parameter } from '../store/json-rows.ts';
import { getPrisma, getStoreProvider } from '../store/prisma.ts';
import { MAX_LOG, MAX_SAMPLES } from './apply-delta.ts';
import { findLiveRun } from './registry.ts';
import { ChunkView, PitrView, RunState, RunView, StoredDumpOptions, StoredRestoreOptions, VerificationView, type ChunkCounts } from './schemas.ts';
import { storeIds } from './recorder.ts';

const KeyList = z.array(KeyValue).nullable();
const parseKey = (text: string | null) => (text === null ? null : KeyList.parse(JSON.parse(text)));

type RunRow = NonNullable<Awaited<ReturnType<typeof findRun>>>;
type TableRow = Awaited<ReturnType<ReturnType<typeof getPrisma>['runTable']['findMany']>>[number];

function findRun(id: string) {
  return getPrisma().run.findUnique({
    where: { id },
    include: {
      server: { select: { id: true, name: true } },
      locks: { orderBy: { requestedAt: 'asc' } },
      snapshots: { orderBy: { snapshotId: 'asc' } },
    },
  });
}

/** A run's state as the store has it (a finished run, or one a restart interrupted): every chunk of every table. For resuming. */
export async function loadRunState({ id }: { id: string }): Promise<RunState> {
  const { run, tables, rest } = await loadRunRest({ id });
  const chunksByTable = await loadChunksByTable({ runId: id });
  return RunState.parse({
    ...rest,
    tables: tables.map((t) => ({ ...tableFields(t), chunks: (chunksByTable.get(t.id) ?? []).map((c) => chunkView(c, run.status)) })),
  });
}

/** A run as the run page shows it: each table's chunks counted in the store (one grouped query), not listed. */
export async function loadRunView({ id }: { id: string }): Promise<RunView> {
  const { run, tables, rest } = await loadRunRest({ id });
  const counts = await countChunksByTable({ runId: id, stopped: run.status !== 'running' });
  const none: ChunkCounts = { total: 0, done: 0, running: 0, rows: 0, bytes: 0 };
  return RunView.parse({ ...rest, tables: tables.map((t) => ({ ...tableFields(t), counts: counts.get(t.id) ?? none })) });
}

/** The most chunks one drill-down reads: the page shows a table's chunks a window at a time. */
export const MAX_CHUNK_WINDOW = 1_000;

/**
 * A window of one table's chunks, in index order: the run page's drill-down. From the live run while
 * it runs, from the store after. Reads `limit` rows whatever the size of the run.
 */
export async function loadTableChunks({ id, database, table, offset = 0, limit = MAX_CHUNK_WINDOW }: { id: string; database: string; table: string; offset?: number; limit?: number }): Promise<{ total: number; offset: number; chunks: ChunkView[] }> {
  const take = Math.min(Math.max(1, limit), MAX_CHUNK_WINDOW);
  const skip = Math.max(0, offset);
  const live = await findLiveRun(id);
  if (live && !live.ended) {
    const all = live.live.table(database, table)?.chunks ?? [];
    return { total: all.length, offset: skip, chunks: ChunkView.array().parse(all.slice(skip, skip + take)) };
  }
  const run = await getPrisma().run.findUnique({ where: { id }, select: { status: true } });
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  const tableId = storeIds.table(id, database, table);
  const [total, rows] = await Promise.all([
    getPrisma().runChunk.count({ where: { tableId } }),
    getPrisma().runChunk.findMany({ where: { tableId }, orderBy: { index: 'asc' }, skip, take }),
  ]);
  return { total, offset: skip, chunks: rows.map((c) => chunkView(c, run.status)) };
}

/** Everything of a run but its tables' chunks. */
async function loadRunRest({ id }: { id: string }): Promise<{ run: RunRow; tables: TableRow[]; rest: Omit<RunState, 'tables'> }> {
  const prisma = getPrisma();
  // No nested include of tables' chunks: Prisma reads those with one bound parameter per table
  // (P2029 past a few thousand tables). Each read below has a fixed number of parameters.
  const run = await findRun(id);
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  const [tables, logs, samples] = await Promise.all([
    prisma.runTable.findMany({ where: { runId: id } }),
    prisma.runLog.findMany({ where: { runId: id }, orderBy: { id: 'desc' }, take: MAX_LOG }),
    prisma.runSample.findMany({ where: { runId: id }, orderBy: { id: 'desc' }, take: MAX_SAMPLES }),
  ]);
  tables.sort((a, b) => a.database.localeCompare(b.database) || a.table.localeCompare(b.table));
  const rawOptions: unknown = JSON.parse(run.options || '{}');
  const options = run.kind === 'dump' ? StoredDumpOptions.safeParse(rawOptions) : null;
  const restoreOptions = run.kind === 'restore' ? StoredRestoreOptions.safeParse(rawOptions) : null;
  const pitr = run.pitr ? PitrView.safeParse(JSON.parse(run.pitr)) : null;
  const rest: Omit<RunState, 'tables'> = {
    id: run.id,
    kind: run.kind,
    status: run.status,
    attempt: run.attempt,
    server: run.server,
    sourceVersion: run.sourceVersion,
    outDir: run.outDir,
    options: options?.success ? options.data : null,
    databases: z.array(z.string()).catch([]).parse(JSON.parse(run.databases || '[]')),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '' } : null,
    estimate: run.rowsEstimate > 0n || run.tablesTotal > 0 ? { rows: Number(run.rowsEstimate), bytes: Number(run.bytesEstimate), tables: run.tablesTotal } : null,
    locks: run.locks.map((l) => ({
      key: `${l.attempt}:${l.lockId}`,
      attempt: l.attempt,
      scope: LockScope.parse(l.scope),
      target: l.target,
      statement: l.statement,
      blocks: l.blocks,
      requestedAt: l.requestedAt.toISOString(),
      acquiredAt: l.acquiredAt?.toISOString() ?? null,
      releasedAt: l.releasedAt?.toISOString() ?? null,
      waitMs: l.waitMs,
      holdMs: l.holdMs,
    })),
    snapshots: run.snapshots.map((s) => ({
      snapshotId: s.snapshotId,
      attempt: s.attempt,
      scope: s.scope,
      target: s.target,
      openedAt: s.openedAt.toISOString(),
      binlog: s.binlogFile !== null && s.binlogPos !== null ? { file: s.binlogFile, position: Number(s.binlogPos) } : null,
      gtid: s.gtid,
    })),
    log: logs.reverse().map((e) => ({ at: e.at.toISOString(), level: LogLevel.parse(e.level), code: e.code, message: e.message, database: e.database, table: e.table })),
    samples: samples.reverse().map((s) => ({ t: s.at.getTime(), rows: Number(s.rows), bytes: Number(s.bytes) })),
    hasManifest: run.kind === 'dump' && existsSync(path.join(run.outDir, MANIFEST_FILE)),
    sourceRunId: run.sourceRunId,
    restoreOptions: restoreOptions?.success ? restoreOptions.data : null,
    verification: tables.flatMap((t) =>
      t.verifyChunks === null
        ? []
        : [
            VerificationView.parse({
              database: t.database,
              table: t.table,
              targetDatabase: t.targetDatabase ?? t.database,
              chunks: t.verifyChunks,
              ok: t.verifyOk ?? 0,
              mismatched: JSON.parse(t.verifyMismatches ?? '[]') as unknown,
            }),
          ],
    ),
    pitr: pitr?.success ? settlePitr(pitr.data, run.status) : null,
  };
  return { run, tables, rest };
}

const LockScope = z.enum(['instance', 'database', 'table']);
const LogLevel = z.enum(['info', 'warning', 'error']);
const TableStatusText = z.enum(['planned', 'running', 'done', 'skipped']);

function tableFields(t: TableRow) {
  return {
    database: t.database,
    table: t.table,
    targetDatabase: t.targetDatabase,
    chunkKey: z.array(z.string()).parse(JSON.parse(t.chunkKey)),
    rowsEstimate: Number(t.rowsEstimate),
    bytesEstimate: Number(t.bytesEstimate),
    status: TableStatusText.parse(t.status),
    skip: t.skipCode ? { code: t.skipCode, reason: t.skipReason ?? '' } : null,
  };
}

function chunkView(c: ChunkRow, runStatus: string): ChunkView {
  // A chunk that was running when its run stopped was not written: it is to do again.
  const stale = c.state === 'running' && runStatus !== 'running';
  return {
    index: c.index,
    lower: parseKey(c.lower),
    upper: parseKey(c.upper),
    state: stale ? 'pending' : z.enum(['pending', 'running', 'done']).parse(c.state),
    rows: stale ? 0 : Number(c.rows),
    bytes: Number(c.bytes),
    sha256: c.sha256,
    durationMs: c.durationMs,
    worker: c.worker,
  };
}

const countChunksSql = (provider: StoreProvider) => `SELECT c."tableId" AS "tableId", COUNT(*) AS total,
  SUM(CASE WHEN c."state" = 'done' THEN 1 ELSE 0 END) AS done,
  SUM(CASE WHEN c."state" = 'running' THEN 1 ELSE 0 END) AS running,
  SUM(c."rows") AS rows, SUM(CASE WHEN c."state" = 'running' THEN c."rows" ELSE 0 END) AS "runningRows", SUM(c."bytes") AS bytes
FROM "RunChunk" c JOIN "RunTable" t ON t."id" = c."tableId" WHERE t."runId" = ${parameter(provider, 1)} GROUP BY c."tableId"`;
const COUNT_CHUNKS = { sqlite: countChunksSql('sqlite'), postgresql: countChunksSql('postgresql') };

/** Chunk counts per table id, summed by the store: one query with one parameter. */
async function countChunksByTable({ runId, stopped }: { runId: string; stopped: boolean }): Promise<Map<string, ChunkCounts>> {
  const rows = await getPrisma().$queryRawUnsafe<Record<string, unknown>[]>(COUNT_CHUNKS[getStoreProvider()], runId);
  const counts = new Map<string, ChunkCounts>();
  for (const r of rows) {
    const running = Number(r.running ?? 0);
    // As in chunkView: a chunk left running by a stopped run counts as to do, with no rows.
    counts.set(String(r.tableId), {
      total: Number(r.total ?? 0),
      done: Number(r.done ?? 0),
      running: stopped ? 0 : running,
      rows: Number(r.rows ?? 0) - (stopped ? Number(r.runningRows ?? 0) : 0),
      bytes: Number(r.bytes ?? 0),
    });
  }
  return counts;
}

type ChunkRow = Awaited<ReturnType<ReturnType<typeof getPrisma>['runChunk']['findMany']>>[number];

/** Every chunk of a run, grouped by table id and in index order: one query, filtered through the table's run. */
async function loadChunksByTable({ runId }: { runId: string }): Promise<Map<string, ChunkRow[]>> {
  const rows = await getPrisma().runChunk.findMany({ where: { table: { runId } }, orderBy: [{ tableId: 'asc' }, { index: 'asc' }] });
  const byTable = new Map<string, ChunkRow[]>();
  for (const row of rows) {
    let list = byTable.get(row.tableId);
    if (!list) byTable.set(row.tableId, (list = []));
    list.push(row);
  }
  return byTable;
}

/** A roll forward the stopped run left `running` or `waiting` did not finish: say how it ended. */
function settlePitr(view: PitrView, status: string): PitrView {
  if (status === 'running' || (view.status !== 'running' && view.status !== 'waiting')) return view;
  const ended = status === 'interrupted' ? 'interrupted' : status === 'cancelled' ? 'cancelled' : view.status === 'waiting' ? 'skipped' : 'failed';
  return { ...view, status: ended, reason: view.status === 'waiting' ? 'The restore stopped before the load finished.' : view.reason };
}

/** The state the run page starts from, and the event id its stream continues after (null: not live). */
export async function getRunView({ id }: { id: string }): Promise<{ state: RunView; eventId: string | null }> {
  const live = await findLiveRun(id);
  if (live && !live.ended) {
    const view = live.view();
    return { state: RunView.parse(view.state), eventId: view.eventId };
  }
  return { state: await loadRunView({ id }), eventId: null };
}

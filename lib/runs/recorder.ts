import { ParadumpError, isParadumpError } from '../core/errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { StoreProvider } from '../store/database-url.ts';
import { selectJsonRows, type JsonColumn } from '../store/json-rows.ts';
import { getPrisma, getStoreProvider } from '../store/prisma.ts';
import { computeProgress } from './progress.ts';
import { tableKey } from './run-view.ts';
import type { ChunkView, LogEntry, RunDelta, RunState, Sample, TableView } from './schemas.ts';

type PrismaClient = Prisma.TransactionClient;

/** How often a live run's changes are written to the store: progress is batched, never one write per row. */
export const FLUSH_INTERVAL_MS = 1_000;

/** Store ids derived from names, so a resumed run (even after a restart) finds its rows without a lookup. */
export const storeIds = {
  table: (runId: string, database: string, table: string) => JSON.stringify([runId, database, table]),
  chunk: (tableId: string, index: number) => `${tableId}#${index}`,
  lock: (runId: string, key: string) => `${runId}:${key}`,
  snapshot: (runId: string, snapshotId: number) => `${runId}:${snapshotId}`,
};

const key = tableKey;

/** Rows per statement: each statement binds one JSON text, so this bounds its size, not a parameter count. */
export const ROWS_PER_STATEMENT = 2_000;

/**
 * Collects what changed in a live run and writes it in one transaction per interval: the latest
 * state of each changed chunk, table and lock, and the new log lines and samples.
 */
export class RunRecorder {
  private readonly runId: string;
  /** The attempt this recorder writes for: fencing, a newer attempt's run row refuses its writes. */
  private readonly attempt: number;
  private readonly onStale: () => void;
  /** Set once a write was refused: nothing more is written. */
  stale = false;
  private readonly getState: () => RunState;
  private newTables = new Set<string>();
  private tables = new Set<string>();
  private chunks = new Map<string, Set<number>>();
  private locks = new Set<string>();
  private snapshots = new Set<number>();
  private verified = new Set<string>();
  private logs: LogEntry[] = [];
  private samples: Sample[] = [];
  private runDirty = false;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** Tables already in the store (created by an earlier attempt or flush). */
  private readonly known: Set<string>;

  constructor({ runId, attempt, getState, knownTables, onStale = () => undefined }: { runId: string; attempt: number; getState: () => RunState; knownTables: Iterable<string>; onStale?: () => void }) {
    this.runId = runId;
    this.attempt = attempt;
    this.onStale = onStale;
    this.getState = getState;
    this.known = new Set(knownTables);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.flush().catch((error: unknown) => console.error(`paradump: writing run ${this.runId} to the store failed`, error));
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  record(delta: RunDelta): void {
    this.runDirty = true;
    switch (delta.type) {
      case 'table': {
        const k = key(delta.table.database, delta.table.table);
        if (this.known.has(k)) this.tables.add(k);
        else this.newTables.add(k);
        // Planned again on resume: chunks left running by the interrupted attempt are pending now.
        for (const c of delta.table.chunks) this.markChunk(k, c.index);
        break;
      }
      case 'table-status':
        this.tables.add(key(delta.database, delta.table));
        break;
      case 'chunk':
        this.markChunk(key(delta.database, delta.table), delta.chunk.index);
        break;
      case 'lock':
        this.locks.add(delta.lock.key);
        break;
      case 'snapshot':
        this.snapshots.add(delta.snapshot.snapshotId);
        break;
      case 'log':
        this.logs.push(delta.entry);
        break;
      case 'sample':
        this.samples.push(delta.sample);
        break;
      case 'verification':
        this.verified.add(key(delta.result.database, delta.result.table));
        break;
      case 'status':
      case 'source':
      case 'estimate':
      case 'pitr':
        break;
    }
  }

  private markChunk(tableKey: string, index: number): void {
    let set = this.chunks.get(tableKey);
    if (!set) this.chunks.set(tableKey, (set = new Set()));
    set.add(index);
  }

  /** Writes everything recorded so far. Flushes never overlap: each waits for the one before. */
  flush(): Promise<void> {
    this.chain = this.chain.then(
      () => this.write(),
      () => this.write(),
    );
    return this.chain;
  }

  /**
   * Everything recorded since the last flush, as one transaction: tables and chunks, locks,
   * snapshots, verification, log and samples, then the run's own row.
   */
  private async write(): Promise<void> {
    if (!this.runDirty || this.stale) return;
    const state = this.getState();
    const pending = this.takePending();
    try {
      await getPrisma().$transaction(async (tx) => {
        // The run row first, on the attempt's number: of two workers that both believe they run
        // it (one lost its lock and kept going), only the newest attempt's writes land.
        const fenced = await this.runOp(tx, state);
        if (fenced.count !== 1) throw new ParadumpError('STALE_ATTEMPT', `run ${this.runId}: attempt ${this.attempt} is no longer the run's; its writes are refused`);
        const ops = [...this.tableAndChunkOps(tx, state, pending), ...this.lockOps(tx, state, pending), ...this.snapshotOps(tx, state, pending), ...this.verificationOps(tx, state, pending), ...this.logAndSampleOps(tx, pending)];
        for (const op of ops) await op;
      });
    } catch (error) {
      if (isParadumpError(error, 'STALE_ATTEMPT')) {
        this.stale = true;
        this.onStale();
      }
      throw error;
    }
  }

  private tableAndChunkOps(prisma: PrismaClient, state: RunState, p: Pending): Prisma.PrismaPromise<unknown>[] {
    const runId = this.runId;
    const byKey = new Map(state.tables.map((t) => [key(t.database, t.table), t]));
    // Tables and chunks are written set-based: a few statements per flush, whatever the number of
    // tables and chunks that changed (one Prisma call per row cost 26 s of a 3000-table run).
    const tableRows: TableRow[] = [];
    const chunkRows: ChunkRow[] = [];
    for (const k of p.newTables) {
      const t = byKey.get(k);
      if (!t) continue;
      const tableId = storeIds.table(runId, t.database, t.table);
      tableRows.push(tableRow(tableId, runId, t));
      for (const c of t.chunks) chunkRows.push(chunkRow(tableId, c));
      this.known.add(k);
      p.chunks.delete(k);
      p.tables.delete(k);
    }
    for (const k of p.tables) {
      const t = byKey.get(k);
      if (t) tableRows.push(tableRow(storeIds.table(runId, t.database, t.table), runId, t));
    }
    for (const [k, indexes] of p.chunks) {
      const t = byKey.get(k);
      if (!t) continue;
      const tableId = storeIds.table(runId, t.database, t.table);
      for (const index of indexes) {
        const direct = t.chunks[index];
        const c = direct?.index === index ? direct : t.chunks.find((x) => x.index === index);
        if (c) chunkRows.push(chunkRow(tableId, c));
      }
    }
    return [...Array.from(batches(tableRows), (rows) => prisma.$executeRawUnsafe(WRITE_SQL[getStoreProvider()].upsertTables, JSON.stringify(rows))), ...Array.from(batches(chunkRows), (rows) => prisma.$executeRawUnsafe(WRITE_SQL[getStoreProvider()].upsertChunks, JSON.stringify(rows)))];
  }

  private lockOps(prisma: PrismaClient, state: RunState, p: Pending): Prisma.PrismaPromise<unknown>[] {
    const runId = this.runId;
    const ops: Prisma.PrismaPromise<unknown>[] = [];
    for (const lockKey of p.locks) {
      const l = state.locks.find((x) => x.key === lockKey);
      if (!l) continue;
      const id = storeIds.lock(runId, l.key);
      const fields = {
        scope: l.scope,
        target: l.target,
        statement: l.statement,
        blocks: l.blocks,
        requestedAt: new Date(l.requestedAt),
        acquiredAt: l.acquiredAt ? new Date(l.acquiredAt) : null,
        releasedAt: l.releasedAt ? new Date(l.releasedAt) : null,
        waitMs: l.waitMs,
        holdMs: l.holdMs,
      };
      ops.push(prisma.runLock.upsert({ where: { id }, create: { id, runId, attempt: l.attempt, lockId: l.key.slice(l.key.indexOf(':') + 1), ...fields }, update: fields }));
    }
    return ops;
  }

  private snapshotOps(prisma: PrismaClient, state: RunState, p: Pending): Prisma.PrismaPromise<unknown>[] {
    const runId = this.runId;
    const ops: Prisma.PrismaPromise<unknown>[] = [];
    for (const snapshotId of p.snapshots) {
      const s = state.snapshots.find((x) => x.snapshotId === snapshotId);
      if (!s) continue;
      const id = storeIds.snapshot(runId, snapshotId);
      const fields = {
        attempt: s.attempt,
        scope: s.scope,
        target: s.target,
        openedAt: new Date(s.openedAt),
        binlogFile: s.binlog?.file ?? null,
        binlogPos: s.binlog ? BigInt(s.binlog.position) : null,
        gtid: s.gtid,
      };
      ops.push(prisma.runSnapshot.upsert({ where: { id }, create: { id, runId, snapshotId, ...fields }, update: fields }));
    }
    return ops;
  }

  /** Verification results, for tables already in the store (their rows are written first). */
  private verificationOps(prisma: PrismaClient, state: RunState, p: Pending): Prisma.PrismaPromise<unknown>[] {
    const verifiedRows: [string, number, number, string][] = [];
    for (const k of p.verified) {
      const v = state.verification.find((x) => key(x.database, x.table) === k);
      if (!v || !this.known.has(k)) continue;
      verifiedRows.push([storeIds.table(this.runId, v.database, v.table), v.chunks, v.ok, JSON.stringify(v.mismatched)]);
    }
    return Array.from(batches(verifiedRows), (rows) => prisma.$executeRawUnsafe(WRITE_SQL[getStoreProvider()].updateVerification, JSON.stringify(rows)));
  }

  private logAndSampleOps(prisma: PrismaClient, p: Pending): Prisma.PrismaPromise<unknown>[] {
    const runId = this.runId;
    return [
      ...Array.from(batches(p.logs, 200), (logs) => prisma.runLog.createMany({ data: logs.map((e) => ({ runId, ...e, at: new Date(e.at) })) })),
      ...Array.from(batches(p.samples, 200), (samples) => prisma.runSample.createMany({ data: samples.map((s) => ({ runId, at: new Date(s.t), rows: BigInt(Math.round(s.rows)), bytes: BigInt(Math.round(s.bytes)) })) })),
    ];
  }

  /** The run's own row: status, error, totals and progress. */
  private runOp(prisma: PrismaClient, state: RunState): Prisma.PrismaPromise<{ count: number }> {
    const p = computeProgress(state);
    return prisma.run.updateMany({
      where: { id: this.runId, attempt: this.attempt },
      data: {
        status: state.status,
        attempt: state.attempt,
        finishedAt: state.finishedAt ? new Date(state.finishedAt) : null,
        errorCode: state.error?.code ?? null,
        errorMessage: state.error?.message ?? null,
        rows: BigInt(p.rows),
        bytes: BigInt(p.bytes),
        chunksTotal: p.chunks,
        chunksDone: p.chunksDone,
        tablesTotal: state.tables.length,
        rowsEstimate: BigInt(Math.round(state.estimate?.rows ?? 0)),
        bytesEstimate: BigInt(Math.round(state.estimate?.bytes ?? 0)),
        sourceVersion: state.sourceVersion,
        pitr: state.pitr ? JSON.stringify(state.pitr) : null,
      },
    });
  }

  /** What is pending now, for one write; what changes from now on goes in the next flush. */
  private takePending(): Pending {
    const p: Pending = { newTables: this.newTables, tables: this.tables, chunks: this.chunks, locks: this.locks, snapshots: this.snapshots, verified: this.verified, logs: this.logs, samples: this.samples };
    this.newTables = new Set();
    this.tables = new Set();
    this.chunks = new Map();
    this.locks = new Set();
    this.snapshots = new Set();
    this.verified = new Set();
    this.logs = [];
    this.samples = [];
    this.runDirty = false;
    return p;
  }
}

interface Pending {
  newTables: Set<string>;
  tables: Set<string>;
  chunks: Map<string, Set<number>>;
  locks: Set<string>;
  snapshots: Set<number>;
  verified: Set<string>;
  logs: LogEntry[];
  samples: Sample[];
}

type TableRow = [id: string, runId: string, database: string, table: string, targetDatabase: string | null, chunkKey: string, rowsEstimate: number, bytesEstimate: number, status: string, skipCode: string | null, skipReason: string | null];
type ChunkRow = [id: string, tableId: string, index: number, lower: string | null, upper: string | null, state: string, rows: number, bytes: number, sha256: string | null, durationMs: number | null, worker: number | null];

function tableRow(id: string, runId: string, t: TableView): TableRow {
  return [id, runId, t.database, t.table, t.targetDatabase, JSON.stringify(t.chunkKey), Math.round(t.rowsEstimate), Math.round(t.bytesEstimate), t.status, t.skip?.code ?? null, t.skip?.reason ?? null];
}

function chunkRow(tableId: string, c: ChunkView): ChunkRow {
  return [storeIds.chunk(tableId, c.index), tableId, c.index, c.lower === null ? null : JSON.stringify(c.lower), c.upper === null ? null : JSON.stringify(c.upper), c.state, Math.round(c.rows), Math.round(c.bytes), c.sha256, c.durationMs, c.worker];
}

function* batches<T>(rows: readonly T[], size = ROWS_PER_STATEMENT): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

const TABLE_COLUMNS: JsonColumn[] = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'text'];
const CHUNK_COLUMNS: JsonColumn[] = ['text', 'text', 'integer', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'float', 'integer'];

// Each binds one parameter, a JSON array of rows (lib/store/json-rows.ts): the parameter count is
// fixed, on SQLite and PostgreSQL alike. `WHERE true` keeps SQLite from reading ON CONFLICT as a
// join constraint of the SELECT.
function writeSql(provider: StoreProvider) {
  return {
    upsertTables: `INSERT INTO "RunTable" ("id", "runId", "database", "table", "targetDatabase", "chunkKey", "rowsEstimate", "bytesEstimate", "status", "skipCode", "skipReason")
${selectJsonRows({ provider, columns: TABLE_COLUMNS })}
ON CONFLICT ("id") DO UPDATE SET "targetDatabase" = excluded."targetDatabase", "chunkKey" = excluded."chunkKey", "rowsEstimate" = excluded."rowsEstimate",
  "bytesEstimate" = excluded."bytesEstimate", "status" = excluded."status", "skipCode" = excluded."skipCode", "skipReason" = excluded."skipReason"`,
    upsertChunks: `INSERT INTO "RunChunk" ("id", "tableId", "index", "lower", "upper", "state", "rows", "bytes", "sha256", "durationMs", "worker")
${selectJsonRows({ provider, columns: CHUNK_COLUMNS })}
ON CONFLICT ("id") DO UPDATE SET "lower" = excluded."lower", "upper" = excluded."upper", "state" = excluded."state", "rows" = excluded."rows",
  "bytes" = excluded."bytes", "sha256" = excluded."sha256", "durationMs" = excluded."durationMs", "worker" = excluded."worker"`,
    updateVerification: `UPDATE "RunTable" SET "verifyChunks" = v.c, "verifyOk" = v.ok, "verifyMismatches" = v.m
FROM (${selectJsonRows({ provider, columns: ['text', 'integer', 'integer', 'text'], names: ['id', 'c', 'ok', 'm'] })}) AS v WHERE "RunTable"."id" = v.id`,
  };
}

const WRITE_SQL = { sqlite: writeSql('sqlite'), postgresql: writeSql('postgresql') };

import type { Prisma } from '../generated/prisma/client.ts';
import { getPrisma } from '../store/prisma.ts';
import { computeProgress } from './progress.ts';
import type { ChunkView, LogEntry, RunDelta, RunState, Sample, TableView } from './schemas.ts';

/** How often a live run's changes are written to the store: progress is batched, never one write per row. */
export const FLUSH_INTERVAL_MS = 1_000;

/** Store ids derived from names, so a resumed run (even after a restart) finds its rows without a lookup. */
export const storeIds = {
  table: (runId: string, database: string, table: string) => JSON.stringify([runId, database, table]),
  chunk: (tableId: string, index: number) => `${tableId}#${index}`,
  lock: (runId: string, key: string) => `${runId}:${key}`,
  snapshot: (runId: string, snapshotId: number) => `${runId}:${snapshotId}`,
};

const key = (database: string, table: string) => `${database}\u0000${table}`;

/**
 * Collects what changed in a live run and writes it in one transaction per interval: the latest
 * state of each changed chunk, table and lock, and the new log lines and samples.
 */
export class RunRecorder {
  private readonly runId: string;
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

  constructor({ runId, getState, knownTables }: { runId: string; getState: () => RunState; knownTables: Iterable<string> }) {
    this.runId = runId;
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

  private async write(): Promise<void> {
    if (!this.runDirty) return;
    const state = this.getState();
    const prisma = getPrisma();
    const ops: Prisma.PrismaPromise<unknown>[] = [];
    const runId = this.runId;
    const byKey = new Map(state.tables.map((t) => [key(t.database, t.table), t]));

    for (const k of this.newTables) {
      const t = byKey.get(k);
      if (!t) continue;
      const tableId = storeIds.table(runId, t.database, t.table);
      ops.push(
        prisma.runTable.create({
          data: { id: tableId, runId, ...tableFields(t), chunks: { createMany: { data: t.chunks.map((c) => ({ id: storeIds.chunk(tableId, c.index), index: c.index, ...chunkFields(c) })) } } },
        }),
      );
      this.known.add(k);
      this.chunks.delete(k);
      this.tables.delete(k);
    }
    for (const k of this.tables) {
      const t = byKey.get(k);
      if (t) ops.push(prisma.runTable.update({ where: { id: storeIds.table(runId, t.database, t.table) }, data: tableFields(t) }));
    }
    for (const [k, indexes] of this.chunks) {
      const t = byKey.get(k);
      if (!t) continue;
      const tableId = storeIds.table(runId, t.database, t.table);
      for (const index of indexes) {
        const c = t.chunks.find((x) => x.index === index);
        if (!c) continue;
        const id = storeIds.chunk(tableId, index);
        ops.push(prisma.runChunk.upsert({ where: { id }, create: { id, tableId, index, ...chunkFields(c) }, update: chunkFields(c) }));
      }
    }
    for (const lockKey of this.locks) {
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
    for (const snapshotId of this.snapshots) {
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
    for (const k of this.verified) {
      const v = state.verification.find((x) => key(x.database, x.table) === k);
      if (!v || !this.known.has(k)) continue;
      ops.push(
        prisma.runTable.update({
          where: { id: storeIds.table(runId, v.database, v.table) },
          data: { verifyChunks: v.chunks, verifyOk: v.ok, verifyMismatches: JSON.stringify(v.mismatched) },
        }),
      );
    }
    if (this.logs.length > 0) {
      ops.push(prisma.runLog.createMany({ data: this.logs.map((e) => ({ runId, ...e, at: new Date(e.at) })) }));
    }
    if (this.samples.length > 0) {
      ops.push(prisma.runSample.createMany({ data: this.samples.map((s) => ({ runId, at: new Date(s.t), rows: BigInt(Math.round(s.rows)), bytes: BigInt(Math.round(s.bytes)) })) }));
    }
    const p = computeProgress(state);
    ops.push(
      prisma.run.update({
        where: { id: runId },
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
      }),
    );

    this.newTables = new Set();
    this.tables = new Set();
    this.chunks = new Map();
    this.locks = new Set();
    this.snapshots = new Set();
    this.verified = new Set();
    this.logs = [];
    this.samples = [];
    this.runDirty = false;
    await prisma.$transaction(ops);
  }
}

function tableFields(t: TableView) {
  return {
    database: t.database,
    table: t.table,
    targetDatabase: t.targetDatabase,
    chunkKey: JSON.stringify(t.chunkKey),
    rowsEstimate: BigInt(Math.round(t.rowsEstimate)),
    bytesEstimate: BigInt(Math.round(t.bytesEstimate)),
    status: t.status,
    skipCode: t.skip?.code ?? null,
    skipReason: t.skip?.reason ?? null,
  };
}

function chunkFields(c: ChunkView) {
  return {
    lower: c.lower === null ? null : JSON.stringify(c.lower),
    upper: c.upper === null ? null : JSON.stringify(c.upper),
    state: c.state,
    rows: BigInt(c.rows),
    bytes: BigInt(c.bytes),
    sha256: c.sha256,
    durationMs: c.durationMs,
    worker: c.worker,
  };
}

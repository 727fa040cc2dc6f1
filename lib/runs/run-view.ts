import { MAX_LOG, MAX_SAMPLES } from './apply-delta.ts';
import type { ChunkCounts, RunState, RunView, TableSummary, TableView, ViewDelta } from './schemas.ts';

/** One key per table of a run (names may hold any character but NUL). */
export const tableKey = (database: string, table: string) => `${database}\u0000${table}`;

export function countChunks(chunks: TableView['chunks']): ChunkCounts {
  const counts: ChunkCounts = { total: chunks.length, done: 0, running: 0, rows: 0, bytes: 0 };
  for (const c of chunks) {
    if (c.state === 'done') counts.done += 1;
    else if (c.state === 'running') counts.running += 1;
    counts.rows += c.rows;
    counts.bytes += c.bytes;
  }
  return counts;
}

export function summariseTable(table: TableView): TableSummary {
  const { chunks, ...rest } = table;
  return { ...rest, counts: countChunks(chunks) };
}

/** The browser's view of a run: every table summarised (O(chunks) once; pages and snapshots only). */
export function toRunView(state: RunState): RunView {
  const { tables, ...rest } = state;
  return { ...rest, tables: tables.map(summariseTable) };
}

/**
 * The next view after one change. Pure and copy-on-write for React; a `tables` delta replaces the
 * summaries it names (one pass over the list however many it carries) and appends new ones.
 */
export function applyViewDelta(view: RunView, delta: ViewDelta): RunView {
  switch (delta.type) {
    case 'tables': {
      const fresh = new Map(delta.tables.map((t) => [tableKey(t.database, t.table), t]));
      const tables = view.tables.map((t) => {
        const k = tableKey(t.database, t.table);
        const next = fresh.get(k);
        if (!next) return t;
        fresh.delete(k);
        return next;
      });
      for (const t of fresh.values()) tables.push(t);
      return { ...view, tables };
    }
    case 'status':
      return { ...view, status: delta.status, attempt: delta.attempt, error: delta.error, finishedAt: delta.finishedAt, hasManifest: delta.hasManifest };
    case 'source':
      return { ...view, sourceVersion: delta.version };
    case 'estimate':
      return { ...view, estimate: { rows: delta.rows, bytes: delta.bytes, tables: delta.tables } };
    case 'lock': {
      const at = view.locks.findIndex((l) => l.key === delta.lock.key);
      return { ...view, locks: at < 0 ? [...view.locks, delta.lock] : view.locks.map((l, i) => (i === at ? delta.lock : l)) };
    }
    case 'snapshot': {
      const at = view.snapshots.findIndex((s) => s.snapshotId === delta.snapshot.snapshotId);
      return { ...view, snapshots: at < 0 ? [...view.snapshots, delta.snapshot] : view.snapshots.map((s, i) => (i === at ? delta.snapshot : s)) };
    }
    case 'log':
      return { ...view, log: [...view.log, delta.entry].slice(-MAX_LOG) };
    case 'sample':
      return { ...view, samples: [...view.samples, delta.sample].slice(-MAX_SAMPLES) };
    case 'verification': {
      const at = view.verification.findIndex((v) => v.database === delta.result.database && v.table === delta.result.table);
      return { ...view, verification: at < 0 ? [...view.verification, delta.result] : view.verification.map((v, i) => (i === at ? delta.result : v)) };
    }
    case 'pitr':
      return { ...view, pitr: delta.pitr };
  }
}

/** A frame's deltas applied in order. */
export function applyViewDeltas(view: RunView, deltas: readonly ViewDelta[]): RunView {
  let next = view;
  for (const d of deltas) next = applyViewDelta(next, d);
  return next;
}

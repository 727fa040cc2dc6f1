import type { ChunkView, RunDelta, RunState, TableView } from './schemas.ts';

/** Samples kept in a RunState: the chart shows the last ten minutes at one-second resolution. */
export const MAX_SAMPLES = 600;
/** Log entries kept in a RunState (the store keeps them all). */
export const MAX_LOG = 500;

/**
 * The next state after one change. Pure and copy-on-write, so the same function keeps the server's
 * live copy and the browser's React state in step.
 */
export function applyDelta(state: RunState, delta: RunDelta): RunState {
  switch (delta.type) {
    case 'status':
      return { ...state, status: delta.status, attempt: delta.attempt, error: delta.error, finishedAt: delta.finishedAt, hasManifest: delta.hasManifest };
    case 'source':
      return { ...state, sourceVersion: delta.version };
    case 'estimate':
      return { ...state, estimate: { rows: delta.rows, bytes: delta.bytes, tables: delta.tables } };
    case 'table': {
      const at = findTable(state.tables, delta.table.database, delta.table.table);
      if (at < 0) return { ...state, tables: [...state.tables, delta.table] };
      // Planned again on resume: keep what is known of chunks already written.
      const old = state.tables[at]!;
      const merged: TableView = {
        ...delta.table,
        chunks: delta.table.chunks.map((c) => {
          const prev = old.chunks.find((o) => o.index === c.index);
          return prev && prev.state === 'done' ? prev : c;
        }),
      };
      return { ...state, tables: replaceAt(state.tables, at, merged) };
    }
    case 'table-status': {
      const at = findTable(state.tables, delta.database, delta.table);
      if (at < 0) return state;
      return { ...state, tables: replaceAt(state.tables, at, { ...state.tables[at]!, status: delta.status, skip: delta.skip }) };
    }
    case 'chunk': {
      const at = findTable(state.tables, delta.database, delta.table);
      if (at < 0) return state;
      const table = state.tables[at]!;
      const ci = table.chunks.findIndex((c) => c.index === delta.chunk.index);
      const chunks: ChunkView[] = ci < 0 ? [...table.chunks, delta.chunk] : replaceAt(table.chunks, ci, delta.chunk);
      const status = table.status === 'planned' && delta.chunk.state !== 'pending' ? 'running' : table.status;
      return { ...state, tables: replaceAt(state.tables, at, { ...table, chunks, status }) };
    }
    case 'lock': {
      const at = state.locks.findIndex((l) => l.key === delta.lock.key);
      return { ...state, locks: at < 0 ? [...state.locks, delta.lock] : replaceAt(state.locks, at, delta.lock) };
    }
    case 'snapshot': {
      const at = state.snapshots.findIndex((s) => s.snapshotId === delta.snapshot.snapshotId);
      return { ...state, snapshots: at < 0 ? [...state.snapshots, delta.snapshot] : replaceAt(state.snapshots, at, delta.snapshot) };
    }
    case 'log':
      return { ...state, log: [...state.log, delta.entry].slice(-MAX_LOG) };
    case 'sample':
      return { ...state, samples: [...state.samples, delta.sample].slice(-MAX_SAMPLES) };
    case 'verification': {
      const at = state.verification.findIndex((v) => v.database === delta.result.database && v.table === delta.result.table);
      return { ...state, verification: at < 0 ? [...state.verification, delta.result] : replaceAt(state.verification, at, delta.result) };
    }
    case 'pitr':
      return { ...state, pitr: delta.pitr };
  }
}

function findTable(tables: readonly TableView[], database: string, table: string): number {
  return tables.findIndex((t) => t.database === database && t.table === table);
}

function replaceAt<T>(list: readonly T[], index: number, item: T): T[] {
  const copy = list.slice();
  copy[index] = item;
  return copy;
}

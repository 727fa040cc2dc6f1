import type { DumpEvent } from '../engine/events.ts';
import { throttleWords } from '../throttle/threads-running-gate.ts';
import type { LockRecord } from '../core/manifest.ts';
import { findChunk, type ChunkSource } from './live-state.ts';
import type { ChunkView, LockView, RunDelta, TableView } from './schemas.ts';

/** The changes one engine event makes to a run's state. Pure: the state is read, never written. */
export function dumpEventToDeltas({ state, event, attempt, now = new Date() }: { state: ChunkSource; event: DumpEvent; attempt: number; now?: Date }): RunDelta[] {
  const at = now.toISOString();
  switch (event.type) {
    case 'run-started':
      return [
        { type: 'source', version: `${event.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${event.version}` },
        log(at, 'info', null, attempt > 1 ? `Attempt ${attempt}: connected to ${event.source} (${event.flavor} ${event.version}), resuming` : `Connected to ${event.source} (${event.flavor} ${event.version})`),
      ];
    case 'accounts-dumped':
      return [log(at, 'info', null, `Dumped ${event.users} user${event.users === 1 ? '' : 's'} and ${event.roles} role${event.roles === 1 ? '' : 's'} with their grants (${event.excluded} system or excluded account${event.excluded === 1 ? '' : 's'} left out)`)];
    case 'discovered':
      return [
        { type: 'estimate', rows: event.rowsEstimate, bytes: event.bytesEstimate, tables: event.tables },
        log(at, 'info', null, `Found ${event.tables} table${event.tables === 1 ? '' : 's'} in ${event.databases} database${event.databases === 1 ? '' : 's'}, about ${n(event.rowsEstimate)} rows`),
      ];
    case 'table-planned': {
      const table: TableView = {
        database: event.database,
        table: event.table,
        targetDatabase: null,
        chunkKey: event.chunkKey,
        rowsEstimate: event.rowsEstimate,
        bytesEstimate: event.bytesEstimate,
        status: event.chunks.length > 0 && event.chunks.every((c) => c.done) ? 'done' : 'planned',
        skip: null,
        chunks: event.chunks.map((c) => ({ index: c.index, lower: c.lower, upper: c.upper, state: c.done ? 'done' : 'pending', rows: 0, bytes: 0, sha256: null, durationMs: null, worker: null })),
      };
      return [{ type: 'table', table }];
    }
    case 'chunk-started':
    case 'chunk-progress':
    case 'chunk-finished': {
      const prev = findChunk(state, event.database, event.table, event.index);
      const base: ChunkView = prev ?? { index: event.index, lower: null, upper: null, state: 'pending', rows: 0, bytes: 0, sha256: null, durationMs: null, worker: null };
      const chunk: ChunkView =
        event.type === 'chunk-finished'
          ? { ...base, state: 'done', rows: event.rows, bytes: event.bytes, sha256: event.sha256, durationMs: event.durationMs, worker: event.worker }
          : { ...base, state: 'running', rows: event.type === 'chunk-progress' ? event.rows : 0, bytes: 0, sha256: null, durationMs: null, worker: event.worker };
      return [{ type: 'chunk', database: event.database, table: event.table, chunk }];
    }
    case 'table-finished':
      return [{ type: 'table-status', database: event.database, table: event.table, status: 'done', skip: null }];
    case 'table-skipped':
      // The engine reports the same skip as a warning too: that one goes to the log.
      return [{ type: 'table-status', database: event.database, table: event.table, status: 'skipped', skip: { code: event.code, reason: event.reason } }];
    case 'lock-requested':
    case 'lock-acquired':
    case 'lock-released':
      return [{ type: 'lock', lock: lockView(event.lock, attempt) }];
    case 'snapshot-opened':
      return [
        {
          type: 'snapshot',
          snapshot: {
            snapshotId: event.snapshot.id,
            attempt,
            scope: event.snapshot.scope,
            target: event.snapshot.target,
            openedAt: event.snapshot.openedAt,
            binlog: event.snapshot.binlog,
            gtid: event.snapshot.gtid,
          },
        },
      ];
    case 'throttle':
      return [log(at, 'info', null, throttleWords(event))];
    case 'warning':
      return [log(at, 'warning', event.code, event.message, event.database, event.table)];
    case 'run-finished':
      return [log(at, 'info', null, `Finished: ${n(event.rows)} rows in ${n(event.chunks)} chunks of ${n(event.tables)} tables${event.skippedTables ? `, ${event.skippedTables} skipped` : ''}`)];
    case 'run-failed':
      return [log(at, event.code === 'ABORTED' ? 'info' : 'error', event.code, event.message)];
  }
}

const count = new Intl.NumberFormat('en');
const n = (value: number) => count.format(value);

export function lockView(lock: LockRecord, attempt: number): LockView {
  return { key: `${attempt}:${lock.id}`, attempt, ...lock };
}


export function log(at: string, level: 'info' | 'warning' | 'error', code: string | null, message: string, database?: string, table?: string): RunDelta {
  return { type: 'log', entry: { at, level, code, message, database: database ?? null, table: table ?? null } };
}

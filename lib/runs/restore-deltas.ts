import type { RestoreEvent, TableVerification, VerifyEvent } from '../restore/events.ts';
import { throttleWords } from '../throttle/threads-running-gate.ts';
import { log } from './dump-deltas.ts';
import { findChunk, type ChunkSource } from './live-state.ts';
import type { ChunkView, RunDelta, VerificationView } from './schemas.ts';

const count = new Intl.NumberFormat('en');
const n = (value: number) => count.format(value);

/** The changes one restore event makes to a run's state (chunks keyed by source names, as in the manifest). */
export function restoreEventToDeltas({ state, event, now = new Date() }: { state: ChunkSource; event: RestoreEvent; now?: Date }): RunDelta[] {
  const at = now.toISOString();
  switch (event.type) {
    case 'run-started':
      return [
        { type: 'source', version: `${event.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${event.version}` },
        log(at, 'info', null, `${event.resumed ? 'Resuming the restore' : 'Restoring'} into ${event.target}: ${n(event.tables)} tables, ${n(event.chunks)} chunks, ${n(event.rows)} rows, ${event.loadMethod === 'load-data' ? 'with LOAD DATA LOCAL INFILE' : 'with INSERT statements'}`),
      ];
    case 'files-checked':
      return [log(at, 'info', null, `Checked ${n(event.files)} dump files${event.hashed ? ' against their sha256' : ''}`)];
    case 'database-created':
      return [log(at, 'info', null, `Created database ${event.targetDatabase}${event.targetDatabase !== event.database ? ` (from ${event.database})` : ''}`)];
    case 'table-created':
    case 'object-created':
    case 'range-cleared':
      return [];
    case 'account-created':
      return [log(at, 'info', null, `Created ${event.isRole ? 'role' : 'user'} ${event.account} (${event.grants} grant${event.grants === 1 ? '' : 's'})`)];
    case 'account-skipped':
      return [log(at, 'warning', null, `Left ${event.isRole ? 'role' : 'user'} ${event.account} as it is: the target has it already`)];
    case 'indexes-added':
      return [log(at, 'info', null, `Added ${event.indexes} deferred index(es)`, event.database, event.table)];
    case 'chunk-started':
    case 'chunk-progress':
    case 'chunk-finished':
    case 'chunk-skipped': {
      const prev = findChunk(state, event.database, event.table, event.index);
      const base: ChunkView = prev ?? { index: event.index, lower: null, upper: null, state: 'pending', rows: 0, bytes: 0, sha256: null, durationMs: null, worker: null };
      const chunk: ChunkView =
        event.type === 'chunk-finished'
          ? { ...base, state: 'done', rows: event.rows, bytes: event.bytes, durationMs: event.durationMs, worker: event.worker }
          : event.type === 'chunk-skipped'
            ? { ...base, state: 'done', rows: event.rows, bytes: event.bytes }
            : { ...base, state: 'running', rows: event.type === 'chunk-progress' ? event.rows : 0, bytes: 0, worker: event.worker };
      return [{ type: 'chunk', database: event.database, table: event.table, chunk }];
    }
    case 'table-finished':
      return [{ type: 'table-status', database: event.database, table: event.table, status: 'done', skip: null }];
    case 'throttle':
      return [log(at, 'info', null, throttleWords(event))];
    case 'warning':
      return [log(at, 'warning', event.code, event.message, event.database, event.table)];
    case 'run-finished':
      return [log(at, 'info', null, `Loaded ${n(event.rows)} rows in ${n(event.chunks)} chunks of ${n(event.tables)} tables, and ${n(event.objects)} objects`)];
    case 'run-failed':
      return [log(at, event.code === 'ABORTED' ? 'info' : 'error', event.code, event.message)];
  }
}

export function verificationView(result: TableVerification): VerificationView {
  return {
    database: result.database,
    table: result.table,
    targetDatabase: result.targetDatabase,
    chunks: result.chunks,
    ok: result.ok,
    mismatched: result.mismatched.map((m) => ({ index: m.index, range: m.range, reason: m.reason, expectedRows: m.expectedRows, actualRows: m.actualRows })),
  };
}

export function verifyEventToDeltas({ event, now = new Date() }: { event: VerifyEvent; now?: Date }): RunDelta[] {
  const at = now.toISOString();
  switch (event.type) {
    case 'run-started':
      return [log(at, 'info', null, `Verifying ${n(event.chunks)} chunks of ${n(event.tables)} tables in the target against the dump’s content hashes`)];
    case 'table-verified':
      return [{ type: 'verification', result: verificationView(event.result) }];
    case 'run-finished':
      return [
        event.ok
          ? log(at, 'info', null, `Verification passed: all ${n(event.chunks)} chunks match`)
          : log(at, 'error', 'VERIFY_MISMATCH', `Verification failed: ${n(event.mismatched)} of ${n(event.chunks)} chunks differ`),
      ];
    case 'run-failed':
      return [log(at, 'error', event.code, event.message)];
    case 'chunk-verified':
      return [];
  }
}

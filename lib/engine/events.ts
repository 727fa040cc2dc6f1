import type { ThrottleEvent } from '../throttle/threads-running-gate.ts';
import type { KeyValue, LockRecord, SnapshotRecord } from '../core/manifest.ts';

/** Everything a dump reports while it runs. The CLI draws a progress bar from it; lib/runs persists it. */
export type DumpEvent =
  | { type: 'run-started'; at: string; source: string; flavor: string; version: string }
  /** Users and roles written to accounts/accounts.json (counts only: the file holds the hashes). */
  | { type: 'accounts-dumped'; users: number; roles: number; excluded: number }
  | { type: 'discovered'; databases: number; tables: number; bytesEstimate: number; rowsEstimate: number }
  | { type: 'table-planned'; database: string; table: string; chunkKey: string[]; rowsEstimate: number; bytesEstimate: number; chunks: { index: number; lower: KeyValue[] | null; upper: KeyValue[] | null; done?: boolean }[] }
  | { type: 'chunk-started'; database: string; table: string; index: number; worker: number }
  | { type: 'chunk-progress'; database: string; table: string; index: number; worker: number; rows: number }
  | { type: 'chunk-finished'; database: string; table: string; index: number; worker: number; rows: number; bytes: number; sha256: string; durationMs: number; file: string }
  | { type: 'table-finished'; database: string; table: string; rows: number; bytes: number; chunks: number }
  | { type: 'table-skipped'; database: string; table: string; code: string; reason: string }
  | { type: 'lock-requested'; lock: LockRecord }
  | { type: 'lock-acquired'; lock: LockRecord }
  | { type: 'lock-released'; lock: LockRecord }
  | { type: 'snapshot-opened'; snapshot: SnapshotRecord }
  | ThrottleEvent
  | { type: 'warning'; code: string; message: string; database?: string; table?: string }
  | { type: 'run-finished'; at: string; rows: number; bytes: number; chunks: number; tables: number; skippedTables: number; durationMs: number }
  | { type: 'run-failed'; at: string; code: string; message: string };

export type DumpEventListener = (event: DumpEvent) => void;

import type { ThrottleEvent } from '../throttle/threads-running-gate.ts';
import type { KeyValue } from '../core/manifest.ts';

/**
 * Everything a restore reports while it runs. Totals are known up front from the manifest, so
 * `run-started` carries them and progress (bytes of dump files loaded) gives an honest ETA.
 * Names are source names; `targetDatabase` says where a table goes.
 */
export type RestoreEvent =
  | {
      type: 'run-started';
      at: string;
      target: string;
      flavor: string;
      version: string;
      resumed: boolean;
      /** How rows go in: the files' INSERTs, or LOAD DATA LOCAL INFILE (tsv dumps, and SQL dumps rewritten to tsv). */
      loadMethod: 'insert' | 'load-data';
      databases: number;
      tables: number;
      objects: number;
      /** Chunks to load in this run (already loaded ones of a resumed run are not counted). */
      chunks: number;
      rows: number;
      /** Bytes of dump files to load (as stored, compressed or not). */
      bytes: number;
    }
  | ThrottleEvent
  | { type: 'files-checked'; files: number; bytes: number; hashed: boolean; durationMs: number }
  | { type: 'database-created'; database: string; targetDatabase: string }
  | { type: 'table-created'; database: string; table: string; targetDatabase: string; deferredIndexes: number }
  | { type: 'chunk-started'; database: string; table: string; index: number; worker: number; rows: number; bytes: number }
  | { type: 'chunk-progress'; database: string; table: string; index: number; worker: number; rows: number; bytes: number }
  | { type: 'chunk-finished'; database: string; table: string; index: number; worker: number; rows: number; bytes: number; durationMs: number }
  /** A resumed run: the journal says this chunk is in the target already. */
  | { type: 'chunk-skipped'; database: string; table: string; index: number; rows: number; bytes: number }
  /** Before (re)loading a chunk that may be partly in the target: its key range was deleted. */
  | { type: 'range-cleared'; database: string; table: string; index: number; rowsDeleted: number }
  | { type: 'indexes-added'; database: string; table: string; indexes: number; durationMs: number }
  | { type: 'table-finished'; database: string; table: string; rows: number; chunks: number }
  | { type: 'object-created'; database: string; objectType: string; name: string }
  /** An account (`user@host`, or a role's name) created with its grants; never its hash. */
  | { type: 'account-created'; account: string; isRole: boolean; grants: number }
  /** An account the target had already (--skip-existing-users): left as it is. */
  | { type: 'account-skipped'; account: string; isRole: boolean; reason: 'exists' }
  | { type: 'warning'; code: string; message: string; database?: string; table?: string }
  | { type: 'run-finished'; at: string; rows: number; bytes: number; chunks: number; tables: number; objects: number; durationMs: number }
  | { type: 'run-failed'; at: string; code: string; message: string };

export type RestoreEventListener = (event: RestoreEvent) => void;

export interface MismatchedRange {
  index: number;
  lower: KeyValue[] | null;
  upper: KeyValue[] | null;
  /** Human-readable key range, e.g. `(100) <= (id) < (200)`. */
  range: string;
  expectedRows: number;
  actualRows: number | null;
  /** What differs: `rows`, `content` (same count, other rows), `file` (size/hash), `missing` (file or table). */
  reason: 'rows' | 'content' | 'file' | 'missing';
  detail?: string;
}

/** Per table: chunks ok and chunks that differ, with their ranges. */
export interface TableVerification {
  database: string;
  table: string;
  targetDatabase: string;
  chunks: number;
  ok: number;
  mismatched: MismatchedRange[];
}

export type VerifyEvent =
  | { type: 'run-started'; at: string; mode: 'files' | 'target'; target: string | null; tables: number; chunks: number; bytes: number }
  | { type: 'chunk-verified'; database: string; table: string; index: number; ok: boolean; rows: number; bytes: number; mismatch?: MismatchedRange }
  | { type: 'table-verified'; result: TableVerification }
  | { type: 'run-finished'; at: string; ok: boolean; tables: number; chunks: number; mismatched: number; durationMs: number }
  | { type: 'run-failed'; at: string; code: string; message: string };

export type VerifyEventListener = (event: VerifyEvent) => void;

export type PitrEvent =
  | { type: 'plan'; plan: import('./pitr.ts').PitrPlan }
  | { type: 'replay-started'; database: string; targetDatabase: string; command: string }
  /** Sampled while a database's events stream through: where in the binlog the reader is. */
  | { type: 'replay-progress'; database: string; file: string; position: number; transactions: number; bytes: number; /** Timestamp (UTC) of the last event header passed on; null before the first. */ lastEventAt: string | null }
  | { type: 'replay-finished'; database: string; targetDatabase: string; transactions: number; bytes: number; durationMs: number }
  | { type: 'warning'; code: string; message: string }
  | { type: 'run-finished'; at: string; databases: number; transactions: number; durationMs: number; dryRun: boolean }
  | { type: 'run-failed'; at: string; code: string; message: string };

export type PitrEventListener = (event: PitrEvent) => void;

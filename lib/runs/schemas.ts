import { z } from 'zod';
import { DumpRequest } from '../core/dump-options.ts';
import { KeyValue } from '../core/manifest.ts';
import { TlsMode } from '../core/tls-modes.ts';

// Everything the dashboard sends to the browser about runs and servers is parsed through one of these
// schemas on the way out: fields the store has and the browser must not see (passwords) are dropped.

export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
export const RunKind = z.enum(['dump', 'restore', 'pitr']);
export type RunKind = z.infer<typeof RunKind>;

/** Finished for good: nothing more will happen unless someone resumes it. */
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

/**
 * A saved server as pages see it: no password, and of its TLS settings only the mode and whether a
 * CA and a client certificate are set (never the client key, sealed or not).
 */
export const ServerPublic = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  sandbox: z.boolean(),
  createdAt: z.date(),
  tls: z.object({ mode: TlsMode, ca: z.boolean(), clientCert: z.boolean() }).strict(),
});
export type ServerPublic = z.infer<typeof ServerPublic>;

/**
 * An encrypted dump run's key: the key file's path on the machine that runs the dump (the dashboard's,
 * or a worker's: the same path is read there) and the key's public id, read when the run was asked
 * for. Never the key: the engine reads the file at each attempt.
 */
export const StoredEncryption = z.object({ keyFile: z.string().min(1), keyId: z.string().regex(/^[0-9a-f]{16}$/) });
export type StoredEncryption = z.infer<typeof StoredEncryption>;

/**
 * The options a dump run was started with, as stored in Run.options: the engine's own `DumpRequest`
 * (no URI, no password, no output path), and the key file of an encrypted dump. Rows stored before a
 * field existed get its default.
 */
export const StoredDumpOptions = DumpRequest.extend({ encryption: StoredEncryption.optional() });
export type StoredDumpOptions = z.infer<typeof StoredDumpOptions>;

export const ChunkState = z.enum(['pending', 'running', 'done']);
export const ChunkView = z.object({
  index: z.number().int(),
  lower: z.array(KeyValue).nullable(),
  upper: z.array(KeyValue).nullable(),
  state: ChunkState,
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string().nullable(),
  durationMs: z.number().nullable(),
  worker: z.number().int().nullable(),
});
export type ChunkView = z.infer<typeof ChunkView>;

export const TableStatus = z.enum(['planned', 'running', 'done', 'skipped']);
export const TableView = z.object({
  database: z.string(),
  table: z.string(),
  /** For a restore: the database the table goes into (after renames). */
  targetDatabase: z.string().nullable(),
  chunkKey: z.array(z.string()),
  rowsEstimate: z.number(),
  bytesEstimate: z.number(),
  status: TableStatus,
  skip: z.object({ code: z.string(), reason: z.string() }).nullable(),
  chunks: z.array(ChunkView),
});
export type TableView = z.infer<typeof TableView>;

export const LockView = z.object({
  /** `attempt:engine id`, unique within the run (the engine numbers locks anew on resume). */
  key: z.string(),
  attempt: z.number().int(),
  scope: z.enum(['instance', 'database', 'table']),
  target: z.string().nullable(),
  statement: z.string(),
  blocks: z.string(),
  requestedAt: z.string(),
  acquiredAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  waitMs: z.number().nullable(),
  holdMs: z.number().nullable(),
});
export type LockView = z.infer<typeof LockView>;

export const LogEntry = z.object({
  at: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  code: z.string().nullable(),
  message: z.string(),
  database: z.string().nullable(),
  table: z.string().nullable(),
});
export type LogEntry = z.infer<typeof LogEntry>;

/** Cumulative rows and bytes written at `t` (ms since the epoch). */
export const Sample = z.object({ t: z.number(), rows: z.number(), bytes: z.number() });
export type Sample = z.infer<typeof Sample>;

export const SnapshotView = z.object({
  snapshotId: z.number().int(),
  attempt: z.number().int(),
  scope: z.string(),
  target: z.string().nullable(),
  openedAt: z.string(),
  binlog: z.object({ file: z.string(), position: z.number() }).nullable(),
  gtid: z.string().nullable(),
});
export type SnapshotView = z.infer<typeof SnapshotView>;

/** A restore's check of one table: the rows in the target against the dump's per-chunk content hashes. */
export const VerificationView = z.object({
  database: z.string(),
  table: z.string(),
  targetDatabase: z.string(),
  chunks: z.number().int(),
  ok: z.number().int(),
  mismatched: z.array(z.object({ index: z.number().int(), range: z.string(), reason: z.string(), expectedRows: z.number(), actualRows: z.number().nullable() })),
});
export type VerificationView = z.infer<typeof VerificationView>;

/** A restore's point-in-time step as asked: roll forward with the source's binary log up to `until`. */
export const StoredPitr = z.object({
  kind: z.enum(['end', 'datetime', 'position', 'gtid']),
  /** The stop value as entered (normalized); '' for `end`. */
  value: z.string(),
  /** The engine's stop point (lib/restore/options.ts parseStopPoint). */
  until: z.string(),
  /** The saved server whose binary log is read: the one the dump was taken from. */
  sourceServerId: z.string(),
  /** Only these databases of the dump are replayed (source names). */
  databases: z.array(z.string()).default([]),
  /** The replayed events are not written to the target's binary log (target and source are one server). */
  noBinlog: z.boolean().default(false),
});
export type StoredPitr = z.infer<typeof StoredPitr>;

/** What a restore run was asked to do (stored as Run.options). */
export const StoredRestoreOptions = z.object({
  rename: z.record(z.string(), z.string()).default({}),
  tables: z.array(z.string()).default([]),
  threads: z.number().int(),
  verify: z.boolean(),
  dropExisting: z.boolean().default(false),
  /** Secondary indexes built after the data is in. Runs stored before it was an option loaded with them. */
  deferIndexes: z.boolean().default(false),
  /** How rows go in (the engine's `loadMethod`). Runs stored before it was an option chose automatically. */
  loadMethod: z.enum(['auto', 'insert', 'load-data']).default('auto'),
  /** Create the dump's accounts; runs stored before it was an option did not. */
  users: z.boolean().default(false),
  skipExistingUsers: z.boolean().default(false),
  /** Roll forward after loading (and verifying); null: no. */
  pitr: StoredPitr.nullable().default(null),
  /** Bytes per second sent to the target, and its Threads_running limit; absent: unthrottled. */
  maxRate: z.number().int().positive().optional(),
  maxThreadsRunning: z.number().int().positive().optional(),
  /** An encrypted dump's key file: its path on the machine that runs the restore, never the key. */
  decryptKeyFile: z.string().min(1).optional(),
  /** Read from this verified copy (a RunCopy id) instead of the backup itself; absent: the backup. */
  sourceCopyId: z.string().min(1).optional(),
});

export const PitrStatus = z.enum(['waiting', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'skipped']);
export type PitrStatus = z.infer<typeof PitrStatus>;

/** The roll-forward phase of a restore run, as the run page shows it (stored as Run.pitr). */
export const PitrView = z.object({
  status: PitrStatus,
  /** Events have been applied to the target: it is partly rolled forward, and a second replay would apply them twice. */
  replayStarted: z.boolean(),
  /** Where the replay stops, in the engine's words (known once planned). */
  stop: z.string().nullable(),
  /** One replay per database (or table), in order. */
  replays: z.array(
    z.object({
      database: z.string(),
      targetDatabase: z.string(),
      status: z.enum(['pending', 'running', 'done']),
      /** How far the reader got: the binlog file and position of the last event it passed on. */
      file: z.string().nullable(),
      position: z.number().nullable(),
      /** The timestamp of the last event passed on (UTC), when the reader printed one. */
      lastEventAt: z.string().nullable(),
      transactions: z.number(),
      bytes: z.number(),
      durationMs: z.number().nullable(),
    }),
  ),
  transactions: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Why it did not run (skipped). */
  reason: z.string().nullable(),
});
export type PitrView = z.infer<typeof PitrView>;
export type StoredRestoreOptions = z.infer<typeof StoredRestoreOptions>;

/** A run as the run page shows it. The server keeps one per live run; the browser keeps a copy in step over SSE. */
export const RunState = z.object({
  id: z.string(),
  kind: RunKind,
  status: RunStatus,
  attempt: z.number().int(),
  server: z.object({ id: z.string(), name: z.string() }).nullable(),
  sourceVersion: z.string().nullable(),
  outDir: z.string(),
  options: StoredDumpOptions.nullable(),
  databases: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  estimate: z.object({ rows: z.number(), bytes: z.number(), tables: z.number() }).nullable(),
  tables: z.array(TableView),
  locks: z.array(LockView),
  snapshots: z.array(SnapshotView),
  log: z.array(LogEntry),
  samples: z.array(Sample),
  /** A manifest.json was written: the manifest browser and downloads apply. */
  hasManifest: z.boolean(),
  /** For a restore: the dump run it restores, what it was asked, and the verification per table. */
  sourceRunId: z.string().nullable(),
  restoreOptions: StoredRestoreOptions.nullable(),
  verification: z.array(VerificationView),
  /** For a restore with a point-in-time step: the roll forward. */
  pitr: PitrView.nullable().default(null),
});
export type RunState = z.infer<typeof RunState>;

const StatusDelta = z.object({
  type: z.literal('status'),
  status: RunStatus,
  attempt: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  finishedAt: z.string().nullable(),
  hasManifest: z.boolean(),
});
const SourceDelta = z.object({ type: z.literal('source'), version: z.string() });
const EstimateDelta = z.object({ type: z.literal('estimate'), rows: z.number(), bytes: z.number(), tables: z.number() });
const LockDelta = z.object({ type: z.literal('lock'), lock: LockView });
const SnapshotDelta = z.object({ type: z.literal('snapshot'), snapshot: SnapshotView });
const LogDelta = z.object({ type: z.literal('log'), entry: LogEntry });
const SampleDelta = z.object({ type: z.literal('sample'), sample: Sample });
const VerificationDelta = z.object({ type: z.literal('verification'), result: VerificationView });
const PitrDelta = z.object({ type: z.literal('pitr'), pitr: PitrView });

/** One change to a RunState. The server applies it to its copy and persists it; the browser gets it as part of a ViewDelta frame. */
export const RunDelta = z.discriminatedUnion('type', [
  StatusDelta,
  SourceDelta,
  EstimateDelta,
  z.object({ type: z.literal('table'), table: TableView }),
  z.object({ type: z.literal('table-status'), database: z.string(), table: z.string(), status: TableStatus, skip: TableView.shape.skip }),
  z.object({ type: z.literal('chunk'), database: z.string(), table: z.string(), chunk: ChunkView }),
  LockDelta,
  SnapshotDelta,
  LogDelta,
  SampleDelta,
  VerificationDelta,
  PitrDelta,
]);
export type RunDelta = z.infer<typeof RunDelta>;

/** A table's chunks counted, not listed: what the run page needs of a table until someone drills into it. */
export const ChunkCounts = z.object({ total: z.number().int(), done: z.number().int(), running: z.number().int(), rows: z.number(), bytes: z.number() });
export type ChunkCounts = z.infer<typeof ChunkCounts>;
export const TableSummary = TableView.omit({ chunks: true }).extend({ counts: ChunkCounts });
export type TableSummary = z.infer<typeof TableSummary>;

/**
 * A run as the browser holds it: a RunState whose tables are summaries. Its size grows with the
 * number of tables, never with chunks; one table's chunks are fetched when the page drills in.
 */
export const RunView = RunState.omit({ tables: true }).extend({ tables: z.array(TableSummary) });
export type RunView = z.infer<typeof RunView>;

/** A change to a RunView: the run-level deltas as they are, and chunk and table changes as fresh summaries (upserts). */
export const ViewDelta = z.discriminatedUnion('type', [
  StatusDelta,
  SourceDelta,
  EstimateDelta,
  z.object({ type: z.literal('tables'), tables: z.array(TableSummary) }),
  LockDelta,
  SnapshotDelta,
  LogDelta,
  SampleDelta,
  VerificationDelta,
  PitrDelta,
]);
export type ViewDelta = z.infer<typeof ViewDelta>;

/**
 * What one SSE message carries: the whole view (first message, or after a gap), a frame of changes
 * (everything of one interval, coalesced per table), or the end.
 */
export const StreamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: RunView }),
  z.object({ type: z.literal('frame'), deltas: z.array(ViewDelta) }),
  z.object({ type: z.literal('end') }),
]);
export type StreamMessage = z.infer<typeof StreamMessage>;

import { z } from 'zod';
import { AccountsSummary } from './accounts.ts';
import { LockMode, RecordedDumpOptions, type DataFormat } from './dump-options.ts';


/**
 * The dump's contract with restore, verify and the dashboard. Bump the version on any change that
 * an older reader would misread; readers refuse versions they do not know. A dump is written as the
 * lowest version that describes it (`FEATURE_VERSION`), so an older paradump still restores what it
 * can: version 2 is a dump whose data files are `LOAD DATA` text (`options.format: "tsv"`); version 3
 * a dump with accounts (an older reader would silently leave them out); version 4 an encrypted dump
 * (`encryption`: an older reader would take ciphertext for SQL); version 5 a dump whose chunks'
 * content hashes are xxh3-128 (`contentXxh3`), which an older verify would compare with sha256 and
 * call every chunk changed (a resumed dump may hold both kinds). A new version adds a feature here,
 * to `MANIFEST_VERSIONS`, and its check to the schema's refinement.
 */
export const MANIFEST_VERSIONS = [1, 2, 3, 4, 5] as const;
export type ManifestVersion = (typeof MANIFEST_VERSIONS)[number];
export const MANIFEST_VERSION: ManifestVersion = 5;

/** The version that introduced each feature a dump may use. */
export const FEATURE_VERSION = { tsv: 2, accounts: 3, encryption: 4, xxh3: 5 } as const satisfies Record<string, ManifestVersion>;
export type ManifestFeature = keyof typeof FEATURE_VERSION;

/** The manifest version a dump is written as: the lowest that describes it. */
export function manifestVersionFor(format: DataFormat, hasAccounts = false, encrypted = false, xxh3 = false): ManifestVersion {
  const used: ManifestFeature[] = [];
  if (format === 'tsv') used.push('tsv');
  if (hasAccounts) used.push('accounts');
  if (encrypted) used.push('encryption');
  if (xxh3) used.push('xxh3');
  return used.reduce<ManifestVersion>((v, f) => Math.max(v, FEATURE_VERSION[f]) as ManifestVersion, 1);
}

/**
 * An encrypted dump (version 4): every file but manifest.json (data, schema, object and accounts
 * files) is in the format of lib/core/encrypted-file.ts. The key's id, never the key.
 */
export const EncryptionRecord = z.strictObject({
  algorithm: z.literal('aes-256-gcm'),
  /** First 16 hex digits of sha256("paradump-key-id" + key): which key, without revealing it. */
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Plaintext bytes per authenticated segment. */
  segmentBytes: z.number().int().positive(),
});
export type EncryptionRecord = z.infer<typeof EncryptionRecord>;

/** A key value: integer (number when safe, else digit string), text, or `{ hex }` of raw bytes. */
export const KeyValue = z.union([z.number(), z.string(), z.object({ hex: z.string().regex(/^([0-9a-f]{2})*$/i) })]);
export type KeyValue = z.infer<typeof KeyValue>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Xxh3_128 = z.string().regex(/^[0-9a-f]{32}$/);
/** A path relative to the dump directory, never absolute, never leaving it. */
const RelativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').some((seg) => seg === '..' || seg === '' || seg === '.'), 'must be a relative path inside the dump');

export const LockScope = z.enum(['instance', 'database', 'table']);

export const LockRecord = z.object({
  id: z.string(),
  scope: LockScope,
  /** What the lock covers: null for the instance, the database, or `db.table`. */
  target: z.string().nullable(),
  statement: z.string(),
  /** In the words of the flavor layer: what the lock blocks while held. */
  blocks: z.string(),
  requestedAt: z.string(),
  acquiredAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  waitMs: z.number().nullable(),
  holdMs: z.number().nullable(),
});
export type LockRecord = z.infer<typeof LockRecord>;

export const BinlogCoordinates = z.object({ file: z.string(), position: z.number().int().nonnegative() });

/** One point in time the rows were read at: the whole instance, one database, or one table. */
export const SnapshotRecord = z.object({
  id: z.number().int().nonnegative(),
  scope: z.enum(['instance', 'database', 'table', 'none']),
  /** The database or `db.table` the snapshot covers; null for the instance (or no snapshot). */
  target: z.string().nullable(),
  openedAt: z.string(),
  binlog: BinlogCoordinates.nullable(),
  gtid: z.string().nullable(),
  /** A lockless snapshot's proof: whether no commit fell between the workers' snapshots, and how it was seen. */
  verdict: z.object({ consistent: z.boolean(), method: z.enum(['snapshot-position', 'position-unchanged']), attempts: z.number().int().positive(), reason: z.string().nullable() }).optional(),
});
export type SnapshotRecord = z.infer<typeof SnapshotRecord>;

export const ChunkRecord = z.object({
  index: z.number().int().nonnegative(),
  file: RelativeFile,
  /** Inclusive lower bound of the chunk key, null for the first chunk. */
  lower: z.array(KeyValue).nullable(),
  /** Exclusive upper bound, null for the last chunk. Equals the next chunk's `lower`. */
  upper: z.array(KeyValue).nullable(),
  rows: z.number().int().nonnegative(),
  /** Size of the file as written (compressed, if compressed). */
  bytes: z.number().int().nonnegative(),
  /** sha256 of the file as written. */
  sha256: Sha256,
  /** The encoded rows' hash (see docs/manifest.md), independent of compression and statement size: sha256 before version 5 … */
  contentSha256: Sha256.optional(),
  /** … xxh3-128 since (lib/core/content-hash.ts). Every chunk has one of the two. */
  contentXxh3: Xxh3_128.optional(),
  /** Id of the snapshot (consistency.snapshots) the rows were read in. */
  snapshot: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  worker: z.number().int().nonnegative(),
  /** The file is encrypted (version 4; `bytes` and `sha256` are then of the ciphertext, `contentSha256` of the rows). */
  encrypted: z.literal(true).optional(),
});
export type ChunkRecord = z.infer<typeof ChunkRecord>;

export const KeyColumnRecord = z.object({
  name: z.string(),
  encoding: z.enum(['number', 'utf8', 'charset', 'charset-hex', 'binary', 'hex', 'quoted']),
  charset: z.string().nullable(),
});
export type KeyColumnRecord = z.infer<typeof KeyColumnRecord>;

export const TableRecord = z.object({
  database: z.string(),
  table: z.string(),
  engine: z.string().nullable(),
  /** False for MyISAM, Aria and other engines without transactions: dumped while commits were blocked. */
  transactional: z.boolean(),
  schemaFile: RelativeFile,
  /** Columns in the INSERTs, in order (generated columns are left out, invisible ones kept). */
  columns: z.array(z.string()),
  /**
   * How each of `columns` is written (same order). Loading a tsv file needs it (hex fields go
   * through UNHEX); written for sql dumps too. Absent in dumps made before version 2.
   */
  columnEncodings: z.array(KeyColumnRecord).optional(),
  /** The chunk key's columns, empty when the table has no usable key (one streamed chunk). */
  chunkKey: z.array(z.string()),
  chunkKeyColumns: z.array(KeyColumnRecord),
  /** Which index the key comes from: PRIMARY, a unique index name, or null. */
  chunkIndex: z.string().nullable(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  chunks: z.array(ChunkRecord),
  skipped: z.object({ code: z.string(), reason: z.string() }).nullable(),
});
export type TableRecord = z.infer<typeof TableRecord>;

export const ObjectRecord = z.object({
  type: z.enum(['sequence', 'view', 'trigger', 'procedure', 'function', 'event']),
  name: z.string(),
  file: RelativeFile,
});
export type ObjectRecord = z.infer<typeof ObjectRecord>;

export const DatabaseRecord = z.object({
  name: z.string(),
  charset: z.string(),
  collation: z.string(),
  /** CREATE DATABASE with its character set and collation. */
  schemaFile: RelativeFile,
  /** Sequences (before tables), then views in dependency order (a view after the views it reads), then triggers, routines, events. */
  objects: z.array(ObjectRecord),
});
export type DatabaseRecord = z.infer<typeof DatabaseRecord>;

export const Manifest = z.object({
  format: z.literal('paradump'),
  version: z.literal(MANIFEST_VERSIONS),
  tool: z.object({ name: z.literal('paradump'), version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  source: z.object({ flavor: z.enum(['mariadb', 'mysql']), version: z.string(), host: z.string(), port: z.number().int() }),
  options: RecordedDumpOptions,
  consistency: z.object({
    mode: LockMode,
    /** True when every table's rows were read at one point in time (instance-wide). */
    consistent: z.boolean(),
    /** The largest unit whose rows are mutually consistent. */
    consistentWithin: z.enum(['instance', 'database', 'table', 'chunk-set', 'none']),
    /** One line on what the reader can rely on. */
    note: z.string(),
    /**
     * How `consistent` was established: a commit block while the snapshots opened, table locks, the
     * workers' snapshots all at one binlog position (MariaDB's binlog_snapshot_position), an
     * unchanged binlog position around the opening, or nothing. Absent in manifests before it existed.
     */
    method: z.enum(['commit-block', 'table-locks', 'snapshot-position', 'position-unchanged', 'none']).optional(),
    /** Why the dump is not one point in time, in words; null when it is. */
    reason: z.string().nullable().optional(),
    /** Coordinates of the one instance-wide snapshot; null otherwise (see `snapshots`). */
    binlog: BinlogCoordinates.nullable(),
    gtid: z.string().nullable(),
    /** Every snapshot rows were read in; chunks name theirs by `snapshot` id. */
    snapshots: z.array(SnapshotRecord),
  }),
  /** When the dump was resumed after an interruption (empty if it ran in one go). */
  resumedAt: z.array(z.string()),
  locks: z.array(LockRecord),
  databases: z.array(DatabaseRecord),
  tables: z.array(TableRecord),
  totals: z.object({ tables: z.number().int(), skippedTables: z.number().int(), chunks: z.number().int(), rows: z.number().int(), bytes: z.number().int() }),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), database: z.string().optional(), table: z.string().optional() })),
  /** Users and roles dumped with the data (version 3); absent or null when none were. */
  accounts: AccountsSummary.nullable().optional(),
  /** Set when the dump's files are encrypted (version 4); absent otherwise. */
  encryption: EncryptionRecord.optional(),
}).superRefine((m, ctx) => {
  const atLeast = (feature: ManifestFeature, what: string) => {
    if (m.version < FEATURE_VERSION[feature]) ctx.addIssue({ code: 'custom', path: ['version'], message: `${what} must be version ${FEATURE_VERSION[feature]}` });
  };
  if (m.accounts) atLeast('accounts', 'a dump with accounts');
  if (m.encryption) atLeast('encryption', 'an encrypted dump');
  m.tables.forEach((t, i) => {
    t.chunks.forEach((c, j) => {
      if (c.contentXxh3 === undefined && c.contentSha256 === undefined) ctx.addIssue({ code: 'custom', path: ['tables', i, 'chunks', j], message: 'a chunk needs its content hash' });
      if (c.contentXxh3 !== undefined) atLeast('xxh3', 'a dump with xxh3-128 content hashes');
      if (Boolean(c.encrypted) !== Boolean(m.encryption)) ctx.addIssue({ code: 'custom', path: ['tables', i, 'chunks', j, 'encrypted'], message: m.encryption ? 'every data file of an encrypted dump is encrypted' : 'an encrypted data file needs the manifest\'s encryption' });
    });
  });
  if (m.options.format !== 'tsv') return;
  // A version-1 reader would take tsv files for SQL; and without encodings they cannot be loaded.
  atLeast('tsv', 'a tsv dump');
  m.tables.forEach((t, i) => {
    if (t.skipped) return;
    if (t.columnEncodings?.length !== t.columns.length || t.columnEncodings.some((c, j) => c.name !== t.columns[j])) {
      ctx.addIssue({ code: 'custom', path: ['tables', i, 'columnEncodings'], message: 'a tsv dump needs the encoding of every column' });
    }
  });
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_FILE = 'manifest.json';

import { z } from 'zod';

/** How the data files hold rows: multi-row INSERTs, or tab-separated lines for `LOAD DATA`. */
export const DataFormat = z.enum(['sql', 'tsv']);
export type DataFormat = z.infer<typeof DataFormat>;

export const Compression = z.enum(['none', 'gzip', 'zstd']);
export type Compression = z.infer<typeof Compression>;

export const LockMode = z.enum(['snapshot', 'per-db', 'per-table', 'none']);
export type LockMode = z.infer<typeof LockMode>;

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${name} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${name} must be an integer from ${min} to ${max}` });

/**
 * What one dump reads and how it writes it: every option its result depends on, and none of where
 * from (source, TLS) or where to (the output). The one schema of dump options: the engine's
 * `DumpOptions` extends it, dump-request.json (written before the dump connects) and the dump state
 * keep it whole for resume, the manifest records what changes the dump's content, and the dashboard
 * stores it with each run.
 */
export const DumpRequest = z.object({
  /** Database names or glob patterns (`shop_*`). Empty = every non-system database. */
  databases: z.array(z.string().min(1)).default([]),
  /** Database names or patterns to leave out. */
  excludeDatabases: z.array(z.string().min(1)).default([]),
  /** `db.table` names or patterns; when given, only these tables are dumped. */
  tables: z.array(z.string().regex(/^[^.]+\..+$/, { error: 'tables must be given as db.table' })).default([]),
  /** `db.table` names or patterns to leave out. */
  excludeTables: z.array(z.string().regex(/^[^.]+\..+$/, { error: 'excludeTables must be given as db.table' })).default([]),
  /** Parallel worker connections. @default 4 */
  threads: int('threads', 1, 64).default(4),
  /** Target rows per chunk. @default 100000 */
  chunkRows: int('chunkRows', 1, 100_000_000).default(100_000),
  /** Upper bound of one INSERT statement in bytes (a single larger row gets a statement of its own). @default 1000000 */
  statementBytes: int('statementBytes', 4096, 256 * 1024 * 1024).default(1_000_000),
  /** @default "zstd" */
  compress: Compression.default('zstd'),
  /**
   * Data files as multi-row INSERTs (`sql`, loadable by any client) or as `LOAD DATA` text (`tsv`:
   * faster to restore, needs `local_infile` on the target; restored by paradump). @default "sql"
   */
  format: DataFormat.default('sql'),
  /** Compression level; default gzip 1 / zstd 3 (fast, and about the same ratio). */
  compressLevel: int('compressLevel', 1, 19).optional(),
  /** @default "snapshot" */
  lock: LockMode.default('snapshot'),
  /** Seconds to wait for a lock before giving up (the server is left unblocked). @default 5 */
  lockWaitTimeout: z.number().positive().max(3600).default(5),
  /** When a lock times out, kill statements running at least this many seconds and try once more. */
  killLongQueries: z.number().nonnegative().max(86400).optional(),
  /** Block DDL for the whole dump. Default: on where it is free (MySQL 8's backup lock), off on MariaDB. */
  blockDdl: z.boolean().optional(),
  /** Dump views, triggers, routines and events. @default true */
  objects: z.boolean().default(true),
  /**
   * Dump users, roles and their grants (`accounts/accounts.json`), system accounts left out.
   * Default: on for a whole-instance dump (no databases or tables named), off otherwise.
   */
  users: z.boolean().optional(),
  /** Only these accounts (patterns as `excludeUsers`). Empty = every account but the system ones. */
  includeUsers: z.array(z.string().min(1)).default([]),
  /** Accounts to leave out: `user@host` with `*`/`?` globs, or a user alone for any host (`mysql.*`). */
  excludeUsers: z.array(z.string().min(1)).default([]),
});
export type DumpRequest = z.infer<typeof DumpRequest>;
export type DumpRequestInput = z.input<typeof DumpRequest>;

/**
 * The options a manifest records: those that change which rows and objects were dumped and how the
 * files are laid out. Lock timing and compression level do not change what a restore reads.
 * Defaults cover manifests written before a field existed.
 */
export const RecordedDumpOptions = DumpRequest.pick({
  threads: true,
  chunkRows: true,
  statementBytes: true,
  compress: true,
  format: true,
  lock: true,
  databases: true,
  excludeDatabases: true,
  tables: true,
  excludeTables: true,
  objects: true,
  includeUsers: true,
  excludeUsers: true,
}).extend({ blockDdl: z.boolean(), users: z.boolean().default(false) });
export type RecordedDumpOptions = z.infer<typeof RecordedDumpOptions>;

/** Whether a dump takes the accounts: as asked, else for a whole-instance dump only. */
export function dumpsUsers(request: Pick<DumpRequest, 'users' | 'databases' | 'tables'>): boolean {
  return request.users ?? (request.databases.length === 0 && request.tables.length === 0);
}

import { z } from 'zod';
import { badOption } from './errors.ts';

/** How the data files hold rows: multi-row INSERTs, or tab-separated lines for `LOAD DATA`. */
export const DataFormat = z.enum(['sql', 'tsv']);
export type DataFormat = z.infer<typeof DataFormat>;

export const Compression = z.enum(['none', 'gzip', 'zstd']);
export type Compression = z.infer<typeof Compression>;

/**
 * `lockless`: the workers' snapshots open without a global lock and their consistency is proved (or
 * disproved) from the binlog position; `auto`: `snapshot` when the account may take the commit
 * block, else `lockless`. The manifest records the mode used, never `auto`.
 */
export const LockMode = z.enum(['snapshot', 'per-db', 'per-table', 'none', 'lockless', 'auto']);
export type LockMode = z.infer<typeof LockMode>;

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${name} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${name} must be an integer from ${min} to ${max}` });

/** The lowest `maxRate`: below 1 MB/s a dump of any size would take days. */
export const MIN_RATE = 1_000_000;
const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };

/** `10M`, `512K`, `1.5G`, `2MiB`, `3MB/s` or a plain number of bytes per second; null when it is none of these. */
export function parseByteRate(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m|g|ki|mi|gi)?b?(?:\/s)?\s*$/i.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!);
}

/** Bytes per second across the whole run, as a number or with a suffix (`10M` = 10,000,000; `512Ki` = 524,288). */
export const MaxRate = z
  .union([z.number(), z.string()], { error: 'maxRate must be bytes per second, e.g. 10M or 512K' })
  .transform((value, ctx) => {
    const bytes = typeof value === 'number' ? value : parseByteRate(value);
    if (bytes === null || !Number.isFinite(bytes)) {
      ctx.addIssue({ code: 'custom', message: `maxRate must be bytes per second, e.g. 10M or 512K (got "${String(value)}")` });
      return z.NEVER;
    }
    return Math.round(bytes);
  })
  .pipe(z.number().min(MIN_RATE, { error: `maxRate must be at least 1M (${MIN_RATE} bytes per second)` }).max(1e12, { error: 'maxRate must be at most 1000G' }));

/**
 * How gently a run treats its server (the source of a dump, the target of a restore): a byte rate
 * across all its connections, and a pause of new chunks while the server is busy.
 */
export const ThrottleOptions = z.object({
  /** Bytes per second across the run (every worker together). Default: unthrottled. */
  maxRate: MaxRate.optional(),
  /**
   * Pause new chunks while the server's `Threads_running` is above this (polled every 500 ms on a
   * connection of its own); must exceed threads + 1, the run's own. Default: never pause.
   */
  maxThreadsRunning: int('maxThreadsRunning', 2, 1_000_000).optional(),
});

/** The run's own statements must not trip the gate: its workers and the gate's poll. */
export function checkThreadsRunningLimit(options: { threads: number; maxThreadsRunning?: number | undefined }): void {
  const limit = options.maxThreadsRunning;
  if (limit !== undefined && limit <= options.threads + 1) {
    throw badOption('maxThreadsRunning', `must be more than threads + 1 (${options.threads + 1}: the run's own connections), got ${limit}`);
  }
}

/**
 * The key of an encrypted dump (`--encrypt-key-file` / `--decrypt-key-file`): the path of a key file
 * (32 raw bytes, 64 hex digits or base64 of 32 bytes), or the key itself. An engine option only: it
 * is never part of a DumpRequest, so never in the request file, a dump state, a manifest or a run's
 * stored options; the manifest records the key's id alone.
 */
export const KeyOption = z
  .object({
    /** Path of the key file (on the machine that runs the dump or restore). */
    keyFile: z.string().min(1, { error: 'keyFile must be a path' }).optional(),
    /** The key itself: 32 bytes, or text as a key file holds it. */
    key: z.union([z.instanceof(Buffer), z.instanceof(Uint8Array).transform((u) => Buffer.from(u)), z.string().min(1)]).optional(),
  })
  .refine((o) => (o.keyFile === undefined) !== (o.key === undefined), { error: 'give either keyFile or key' });
export type KeyOption = z.infer<typeof KeyOption>;

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
  /** Compression level; default 1 for both (zstd 1 is faster than 3 and, on typical rows, smaller). */
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
  ...ThrottleOptions.shape,
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

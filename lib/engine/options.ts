import { z } from 'zod';
import { ConnectionTls } from '../mysql/tls.ts';
import { Compression, DataFormat } from './manifest.ts';

export const LockMode = z.enum(['snapshot', 'per-db', 'per-table', 'none']);
export type LockMode = z.infer<typeof LockMode>;

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${name} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${name} must be an integer from ${min} to ${max}` });

/** Options of one dump. Parsed (and defaulted) by `parseDumpOptions`. */
export const DumpOptions = z.object({
  /** `mysql://user:password@host:port` */
  source: z.string().min(1, { error: 'source is required (mysql://user:password@host:port)' }),
  /**
   * TLS for every connection to the source (mode, CA, client certificate and key as PEM text). Never
   * written to the manifest or the state file. Default: the URI's `?ssl=true` (required), else off.
   */
  tls: ConnectionTls.optional(),
  /** Output directory: created if missing, must be empty. */
  outDir: z.string().min(1, { error: 'outDir is required' }),
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
  /** Continue an interrupted dump in `outDir`: keep verified chunks, dump the rest in a new snapshot. */
  resume: z.boolean().default(false),
  /** Dump views, triggers, routines and events. @default true */
  objects: z.boolean().default(true),
});
export type DumpOptionsInput = z.input<typeof DumpOptions>;
export type DumpOptions = z.infer<typeof DumpOptions>;

/** Glob (`*`, `?`) to an anchored, case-sensitive RegExp; anything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function isPattern(text: string): boolean {
  return /[*?]/.test(text);
}

/** Splits `db.table` at the first dot (database names may not contain dots in our CLI syntax). */
export function splitQualified(name: string): { database: string; table: string } {
  const dot = name.indexOf('.');
  return { database: name.slice(0, dot), table: name.slice(dot + 1) };
}

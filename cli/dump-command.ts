import { parseArgs } from 'node:util';
import { dump } from '../lib/engine/dump.ts';
import type { DumpOptionsInput } from '../lib/engine/options.ts';
import { integer, list, positiveNumber, S3_FLAGS, S3_UPLOAD_USAGE, S3_USAGE, serverUri, storageOption, TLS_FLAGS, TLS_USAGE, tlsOption, UsageError, withInterrupt, type Io } from './args.ts';
import { createProgressReporter } from './progress.ts';
import { isParadumpError, ParadumpError } from '../lib/core/errors.ts';
import { LockMode } from '../lib/core/dump-options.ts';

export const DUMP_USAGE = `  paradump dump --source URI --out DIR [options]
  paradump dump --source URI --resume DIR        continue an interrupted dump, with the options
                                                 it was started with (saved in DIR)
    --source URI            mysql://user:password@host:port (or env PARADUMP_SOURCE;
                            a password missing from the URI is read from env PARADUMP_PASSWORD)
${TLS_USAGE}    --out DIR               output directory (created; must be empty), or s3://bucket/prefix
                              (object storage: the prefix must hold no objects; files are
                              uploaded as they are written, the manifest last)
${S3_USAGE}${S3_UPLOAD_USAGE}    --encrypt-key-file F    encrypt every file but the manifest (AES-256-GCM, after
                              compression) with the key in F: 32 raw bytes, 64 hex digits or
                              base64 of 32 bytes (openssl rand -hex 32 > F); the manifest
                              records the key's id only. A --resume needs the same key
    --databases a,b         databases or glob patterns (default: all but system databases)
    --exclude-databases x   databases or patterns to leave out
    --tables db.t,...       only these tables (names or patterns)
    --exclude-tables db.t   tables to leave out
    --threads N             parallel worker connections (default 4)
    --chunk-rows N          rows per chunk (default 100000)
    --statement-bytes N     max bytes per INSERT statement (default 1000000)
    --compress KIND         none | gzip | zstd (default zstd)
    --compress-level N      compression level (default 1: zstd 1 measured faster than 3 and smaller)
    --format KIND           sql (default): multi-row INSERTs any client can load;
                            tsv: LOAD DATA text, restored by paradump with LOAD DATA LOCAL
                              INFILE (faster; the target needs local_infile = ON)
    --lock MODE             snapshot (default): one instance-wide point in time, commits
                              blocked only while worker snapshots open;
                            per-db: each database locked (LOCK TABLES … READ) and read at its
                              own point in time, released before the next is locked;
                            per-table: each table write-locked while it is read;
                            none: no locks (quiet servers, stopped replicas); not consistent
                            lockless: no global lock (for accounts without RELOAD): the
                              snapshots' binlog position proves one point in time, retried
                              up to 5 times, else the manifest says consistent: false and why
                            auto: snapshot when the account may take it, else lockless
    --lock-wait-timeout S   seconds to wait for a lock before giving up (default 5)
    --kill-long-queries S   on lock timeout, kill statements running ≥ S seconds and retry once
    --block-ddl             block DDL for the whole dump (default on MySQL 8; on MariaDB it
                              needs FLUSH TABLES WITH READ LOCK for the snapshot opening)
    --no-block-ddl          never block DDL
    --resume DIR            continue the interrupted dump in DIR (same --source): it dumps
                              what DIR's dump-request.json says was asked; --threads,
                              --lock-wait-timeout, --kill-long-queries and the throttles may change, any
                              other flag given must agree with it (else refused, naming it)
    --max-rate R            at most R bytes per second across the dump (10M, 512K, 1.5G;
                              at least 1M); default unthrottled
    --max-threads-running N pause new chunks while the source's Threads_running > N
                              (polled every 500 ms; N > threads + 1)
    --no-objects            skip views, triggers, routines and events
    --users                 dump users, roles, default roles, grants and resource limits into
                              accounts/accounts.json (mode 0600: it holds the password hashes);
                              on by default when no --databases/--tables are given; system
                              accounts (root@localhost, mariadb.sys, mysql.*, …) are left out
    --no-users              dump no accounts
    --include-users P,...   only these accounts (patterns as --exclude-users)
    --exclude-users P,...   accounts to leave out: user@host with * and ? (root@%), or a user
                              alone for any host (mysql.*)
    --json                  print events as JSON lines on stdout instead of a progress bar
    --quiet                 no progress output
`;

export async function dumpCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      source: { type: 'string' },
      ...TLS_FLAGS,
      ...S3_FLAGS,
      out: { type: 'string' },
      databases: { type: 'string' },
      'exclude-databases': { type: 'string' },
      tables: { type: 'string' },
      'exclude-tables': { type: 'string' },
      threads: { type: 'string' },
      'chunk-rows': { type: 'string' },
      'statement-bytes': { type: 'string' },
      compress: { type: 'string' },
      format: { type: 'string' },
      'compress-level': { type: 'string' },
      'lock-wait-timeout': { type: 'string' },
      lock: { type: 'string' },
      'kill-long-queries': { type: 'string' },
      'block-ddl': { type: 'boolean' },
      'no-block-ddl': { type: 'boolean' },
      resume: { type: 'string' },
      'no-objects': { type: 'boolean' },
      users: { type: 'boolean' },
      'no-users': { type: 'boolean' },
      'include-users': { type: 'string' },
      'exclude-users': { type: 'string' },
      'max-rate': { type: 'string' },
      'max-threads-running': { type: 'string' },
      'encrypt-key-file': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
  const source = serverUri('source', values.source, { uri: 'PARADUMP_SOURCE', password: 'PARADUMP_PASSWORD' });
  if (values.resume && values.out) throw new UsageError('give either --out (a new dump) or --resume DIR (continue one), not both');
  const outDir = values.resume ?? values.out;
  if (!outDir) throw new UsageError('--out is required (an empty or new directory)');
  // Flags left out are left out (undefined), not defaulted here: a resume takes them from the
  // directory's saved request, and refuses only the ones given that contradict it.
  const lockFlag = values.lock;
  if (lockFlag !== undefined && !(LockMode.options as readonly string[]).includes(lockFlag)) throw new UsageError(`--lock must be ${LockMode.options.join(', ')}, got "${lockFlag}"`);
  const lock = lockFlag as LockMode | undefined;
  if (values['block-ddl'] && values['no-block-ddl']) throw new UsageError('--block-ddl and --no-block-ddl contradict each other');
  const killAfter = values['kill-long-queries'];
  if (killAfter !== undefined && !/^\d+(\.\d+)?$/.test(killAfter)) throw new UsageError(`--kill-long-queries must be a number of seconds, got "${killAfter}"`);
  const compress = values.compress;
  if (compress !== undefined && compress !== 'none' && compress !== 'gzip' && compress !== 'zstd') throw new UsageError(`--compress must be none, gzip or zstd, got "${compress}"`);

  const format = values.format;
  if (format !== undefined && format !== 'sql' && format !== 'tsv') throw new UsageError(`--format must be sql or tsv, got "${format}"`);

  if (values.users && values['no-users']) throw new UsageError('--users and --no-users contradict each other');
  const tls = tlsOption(values);
  const storage = storageOption(values);
  const names = (value: string | undefined) => (value === undefined ? undefined : list(value));
  const options: DumpOptionsInput = {
    source,
    ...(tls ? { tls } : {}),
    outDir,
    ...(storage ? { storage } : {}),
    ...(values['encrypt-key-file'] !== undefined ? { encryption: { keyFile: values['encrypt-key-file'] } } : {}),
    resume: values.resume !== undefined,
    lock,
    ...(values['block-ddl'] ? { blockDdl: true } : values['no-block-ddl'] ? { blockDdl: false } : {}),
    ...(killAfter !== undefined ? { killLongQueries: Number(killAfter) } : {}),
    databases: names(values.databases),
    excludeDatabases: names(values['exclude-databases']),
    tables: names(values.tables),
    excludeTables: names(values['exclude-tables']),
    threads: integer('threads', values.threads),
    chunkRows: integer('chunk-rows', values['chunk-rows']),
    statementBytes: integer('statement-bytes', values['statement-bytes']),
    compress,
    format,
    compressLevel: integer('compress-level', values['compress-level']),
    lockWaitTimeout: positiveNumber('lock-wait-timeout', values['lock-wait-timeout']),
    ...(values['no-objects'] ? { objects: false } : {}),
    ...(values.users ? { users: true } : values['no-users'] ? { users: false } : {}),
    includeUsers: names(values['include-users']),
    excludeUsers: names(values['exclude-users']),
    maxRate: values['max-rate'],
    maxThreadsRunning: integer('max-threads-running', values['max-threads-running']),
  };
  const reporter = createProgressReporter({ mode: values.json ? 'json' : values.quiet ? 'quiet' : io.stderr.isTTY ? 'bar' : 'lines', stdout: io.stdout, stderr: io.stderr });
  try {
    const manifest = await withInterrupt((signal) => dump(options, { onEvent: reporter.onEvent, signal })).catch((error: unknown) => {
      throw inFlagWords(error);
    });
    reporter.finish();
    if (!values.json && !values.quiet) {
      io.stderr.write(
        `dumped ${manifest.totals.tables} tables (${manifest.totals.rows} rows, ${manifest.totals.chunks} chunks, ${manifest.totals.bytes} bytes) to ${outDir}` +
          (manifest.totals.skippedTables ? `; ${manifest.totals.skippedTables} skipped (see warnings in manifest.json)` : '') +
          '\n',
      );
    }
    return 0;
  } finally {
    reporter.finish();
  }
}

/** The flag of each dump option, for a refusal that names an option: the operator typed the flag. */
const FLAG_OF: Record<string, (value: unknown) => string> = {
  objects: (v) => (v === false ? '--no-objects' : 'objects (on unless --no-objects)'),
  blockDdl: (v) => (v === false ? '--no-block-ddl' : '--block-ddl'),
  users: (v) => (v === false ? '--no-users' : '--users'),
};

/** A resume refused for a contradicting option names the flag (`--databases`), not the option. */
function inFlagWords(error: unknown): unknown {
  if (!isParadumpError(error, 'BAD_OPTION') || error.details.reason !== 'RESUME_CONTRADICTS') return error;
  const key = String(error.details.path);
  const flag = FLAG_OF[key]?.(error.details.given) ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return new ParadumpError('BAD_OPTION', `${flag} contradicts the dump being resumed: ${String(error.details.problem)}`, { details: { ...error.details, flag }, cause: error });
}

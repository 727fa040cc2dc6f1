import { parseArgs } from 'node:util';
import { dump } from '../lib/engine/dump.ts';
import type { DumpOptionsInput } from '../lib/engine/options.ts';
import { integer, list, positiveNumber, S3_FLAGS, S3_UPLOAD_USAGE, S3_USAGE, serverUri, storageOption, TLS_FLAGS, TLS_USAGE, tlsOption, UsageError, withInterrupt, type Io } from './args.ts';
import { createProgressReporter } from './progress.ts';
import { isParadumpError, ParadumpError } from '../lib/core/errors.ts';

export const DUMP_USAGE = `  paradump dump --source URI --out DIR [options]
  paradump dump --source URI --resume DIR        continue an interrupted dump, with the options
                                                 it was started with (saved in DIR)
    --source URI            mysql://user:password@host:port (or env PARADUMP_SOURCE;
                            a password missing from the URI is read from env PARADUMP_PASSWORD)
${TLS_USAGE}    --out DIR               output directory (created; must be empty), or s3://bucket/prefix
                              (object storage: the prefix must hold no objects; files are
                              uploaded as they are written, the manifest last)
${S3_USAGE}${S3_UPLOAD_USAGE}    --databases a,b         databases or glob patterns (default: all but system databases)
    --exclude-databases x   databases or patterns to leave out
    --tables db.t,...       only these tables (names or patterns)
    --exclude-tables db.t   tables to leave out
    --threads N             parallel worker connections (default 4)
    --chunk-rows N          rows per chunk (default 100000)
    --statement-bytes N     max bytes per INSERT statement (default 1000000)
    --compress KIND         none | gzip | zstd (default zstd)
    --compress-level N      compression level (default gzip 1, zstd 3)
    --format KIND           sql (default): multi-row INSERTs any client can load;
                            tsv: LOAD DATA text, restored by paradump with LOAD DATA LOCAL
                              INFILE (faster; the target needs local_infile = ON)
    --lock MODE             snapshot (default): one instance-wide point in time, commits
                              blocked only while worker snapshots open;
                            per-db: each database locked (LOCK TABLES … READ) and read at its
                              own point in time, released before the next is locked;
                            per-table: each table write-locked while it is read;
                            none: no locks (quiet servers, stopped replicas); not consistent
    --lock-wait-timeout S   seconds to wait for a lock before giving up (default 5)
    --kill-long-queries S   on lock timeout, kill statements running ≥ S seconds and retry once
    --block-ddl             block DDL for the whole dump (default on MySQL 8; on MariaDB it
                              needs FLUSH TABLES WITH READ LOCK for the snapshot opening)
    --no-block-ddl          never block DDL
    --resume DIR            continue the interrupted dump in DIR (same --source): it dumps
                              what DIR's dump-request.json says was asked; --threads,
                              --lock-wait-timeout and --kill-long-queries may change, any
                              other flag given must agree with it (else refused, naming it)
    --no-objects            skip views, triggers, routines and events
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
  const lock = values.lock;
  if (lock !== undefined && lock !== 'snapshot' && lock !== 'per-db' && lock !== 'per-table' && lock !== 'none') throw new UsageError(`--lock must be snapshot, per-db, per-table or none, got "${lock}"`);
  if (values['block-ddl'] && values['no-block-ddl']) throw new UsageError('--block-ddl and --no-block-ddl contradict each other');
  const killAfter = values['kill-long-queries'];
  if (killAfter !== undefined && !/^\d+(\.\d+)?$/.test(killAfter)) throw new UsageError(`--kill-long-queries must be a number of seconds, got "${killAfter}"`);
  const compress = values.compress;
  if (compress !== undefined && compress !== 'none' && compress !== 'gzip' && compress !== 'zstd') throw new UsageError(`--compress must be none, gzip or zstd, got "${compress}"`);

  const format = values.format;
  if (format !== undefined && format !== 'sql' && format !== 'tsv') throw new UsageError(`--format must be sql or tsv, got "${format}"`);

  const tls = tlsOption(values);
  const storage = storageOption(values);
  const names = (value: string | undefined) => (value === undefined ? undefined : list(value));
  const options: DumpOptionsInput = {
    source,
    ...(tls ? { tls } : {}),
    outDir,
    ...(storage ? { storage } : {}),
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
};

/** A resume refused for a contradicting option names the flag (`--databases`), not the option. */
function inFlagWords(error: unknown): unknown {
  if (!isParadumpError(error, 'BAD_OPTION') || error.details.reason !== 'RESUME_CONTRADICTS') return error;
  const key = String(error.details.path);
  const flag = FLAG_OF[key]?.(error.details.given) ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return new ParadumpError('BAD_OPTION', `${flag} contradicts the dump being resumed: ${String(error.details.problem)}`, { details: { ...error.details, flag }, cause: error });
}

import { parseArgs } from 'node:util';
import { dump } from '../lib/engine/dump.ts';
import { isParadumpError, type ErrorCode } from '../lib/engine/errors.ts';
import type { DumpOptionsInput } from '../lib/engine/options.ts';
import { createProgressReporter } from './progress.ts';

const USAGE = `paradump — parallel, chunked, consistent MySQL/MariaDB dumps

Usage:
  paradump dump --source URI --out DIR [options]

Dump options:
  --source URI            mysql://user:password@host:port (or env PARADUMP_SOURCE;
                          a password missing from the URI is read from env PARADUMP_PASSWORD)
  --out DIR               output directory (created; must be empty)
  --databases a,b         databases or glob patterns (default: all but system databases)
  --exclude-databases x   databases or patterns to leave out
  --tables db.t,...       only these tables (names or patterns)
  --exclude-tables db.t   tables to leave out
  --threads N             parallel worker connections (default 4)
  --chunk-rows N          rows per chunk (default 100000)
  --statement-bytes N     max bytes per INSERT statement (default 1000000)
  --compress KIND         none | gzip | zstd (default zstd)
  --compress-level N      compression level (default gzip 1, zstd 3)
  --lock-wait-timeout S   seconds to wait for the instance lock (default 5)
  --no-objects            skip views, triggers, routines and events
  --json                  print events as JSON lines on stdout instead of a progress bar
  --quiet                 no progress output
`;

const EXIT_USAGE = 2;
const USAGE_CODES: ErrorCode[] = ['BAD_OPTION', 'BAD_URI'];

function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

class UsageError extends Error {}

function withPassword(uri: string, password: string | undefined): string {
  if (!password) return uri;
  try {
    const url = new URL(uri);
    if (url.password) return uri;
    url.password = encodeURIComponent(password);
    return url.toString().replace(/\/$/, '');
  } catch {
    return uri;
  }
}

export async function main(argv: string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command ? 0 : EXIT_USAGE;
  }
  try {
    if (command !== 'dump') throw new UsageError(`unknown command "${command}" (try: paradump dump --help)`);
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        source: { type: 'string' },
        out: { type: 'string' },
        databases: { type: 'string' },
        'exclude-databases': { type: 'string' },
        tables: { type: 'string' },
        'exclude-tables': { type: 'string' },
        threads: { type: 'string' },
        'chunk-rows': { type: 'string' },
        'statement-bytes': { type: 'string' },
        compress: { type: 'string' },
        'compress-level': { type: 'string' },
        'lock-wait-timeout': { type: 'string' },
        'no-objects': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const source = values.source ?? process.env['PARADUMP_SOURCE'];
    if (!source) throw new UsageError('--source is required (mysql://user:password@host:port)');
    if (!values.out) throw new UsageError('--out is required (an empty or new directory)');
    const compress = values.compress ?? 'zstd';
    if (!['none', 'gzip', 'zstd'].includes(compress)) throw new UsageError(`--compress must be none, gzip or zstd, got "${compress}"`);
    const lockWait = values['lock-wait-timeout'];
    if (lockWait !== undefined && !(Number(lockWait) > 0)) throw new UsageError(`--lock-wait-timeout must be a positive number of seconds, got "${lockWait}"`);

    const options: DumpOptionsInput = {
      source: withPassword(source, process.env['PARADUMP_PASSWORD']),
      outDir: values.out,
      databases: list(values.databases),
      excludeDatabases: list(values['exclude-databases']),
      tables: list(values.tables),
      excludeTables: list(values['exclude-tables']),
      threads: integer('threads', values.threads),
      chunkRows: integer('chunk-rows', values['chunk-rows']),
      statementBytes: integer('statement-bytes', values['statement-bytes']),
      compress: compress as 'none' | 'gzip' | 'zstd',
      compressLevel: integer('compress-level', values['compress-level']),
      lockWaitTimeout: lockWait === undefined ? undefined : Number(lockWait),
      objects: !values['no-objects'],
    };
    const reporter = createProgressReporter({ mode: values.json ? 'json' : values.quiet ? 'quiet' : io.stderr.isTTY ? 'bar' : 'lines', stdout: io.stdout, stderr: io.stderr });
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const manifest = await dump(options, { onEvent: reporter.onEvent, signal: abort.signal });
      reporter.finish();
      if (!values.json && !values.quiet) {
        io.stderr.write(
          `dumped ${manifest.totals.tables} tables (${manifest.totals.rows} rows, ${manifest.totals.chunks} chunks, ${manifest.totals.bytes} bytes) to ${values.out}` +
            (manifest.totals.skippedTables ? `; ${manifest.totals.skippedTables} skipped (see warnings in manifest.json)` : '') +
            '\n',
        );
      }
      return 0;
    } finally {
      reporter.finish();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`paradump: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isParadumpError(error)) {
      io.stderr.write(`paradump: ${error.message} [${error.code}]\n`);
      return USAGE_CODES.includes(error.code) ? EXIT_USAGE : 1;
    }
    io.stderr.write(`paradump: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

import { parseArgs } from 'node:util';
import type { RestoreEvent } from '../lib/restore/events.ts';
import { parseChunkIndexes, parseKeyBound, parseRenames, type RestoreOptionsInput } from '../lib/restore/options.ts';
import { restore } from '../lib/restore/restore.ts';
import { integer, list, serverUri, TLS_FLAGS, TLS_USAGE, tlsOption, UsageError, withInterrupt, type Io , S3_FLAGS, S3_USAGE, storageOption } from './args.ts';
import { formatBytes } from './progress.ts';
import { createRestoreReporter } from './restore-progress.ts';

export const RESTORE_USAGE = `  paradump restore --from DIR --target URI [options]
    --from DIR              the dump directory (holds manifest.json), or s3://bucket/prefix
${S3_USAGE}    --decrypt-key-file F    the key file of an encrypted dump (checked against the manifest's
                              key id before the target is touched)
    --target URI            mysql://user:password@host:port (or env PARADUMP_TARGET; a password
                            missing from the URI is read from env PARADUMP_TARGET_PASSWORD)
${TLS_USAGE}    --rename SRC:DST        restore database SRC as DST (repeatable, or comma separated)
    --databases a,b         only these databases of the dump (names or patterns)
    --tables db.t,...       only these tables (source names); no views, triggers, routines, events
    --chunks 3,5-7          with one --tables table: replace only these chunks' key ranges
    --key-from K --key-to K with one --tables table: replace only rows with key in [K, K)
                            (a value, or a JSON array for a composite key: '[3,"b"]')
    --threads N             parallel loader connections (default 4)
    --max-rate R            at most R bytes per second of data sent to the target (10M, 512K;
                              at least 1M); default unthrottled
    --max-threads-running N pause new chunks while the target's Threads_running > N
                              (polled every 500 ms; N > threads + 1)
    --drop-existing         replace target tables and objects that exist (default: refuse)
    --no-defer-indexes      create tables with all their indexes before loading (default:
                            plain secondary indexes are added after the data, less work)
    --load-method M         auto (default), load-data or insert: how a SQL dump's rows go in.
                            load-data sends each file as LOAD DATA LOCAL INFILE (rewritten to
                            tsv lines as it streams; the target needs local_infile); auto uses
                            it when the target allows it. tsv dumps always use LOAD DATA
    --no-binlog             SET sql_log_bin = 0 while loading (needs SUPER or BINLOG ADMIN)
    --skip-verify           do not check file hashes before loading (not recommended)
    --resume                continue an interrupted restore (same options as before; its
                              --drop-existing is kept); one stopped before it began is run
                              from the start
    --state-dir DIR         where the restore journal is kept (default DIR/.paradump-restore)
    --no-objects            skip views, triggers, routines and events
    --disable-events        create every event DISABLED, so none runs on a target whose
                              event_scheduler is ON (each one enabled in the dump is named;
                              ALTER EVENT ... ENABLE runs it). Default: as dumped
    --users                 create the dump's users and roles with their grants (after the
                              data; grants on --rename'd databases rewritten); an account the
                              target has already is refused, nothing changed
    --skip-existing-users   with --users: leave accounts the target has as they are
    --json                  print events as JSON lines on stdout instead of a progress bar
    --quiet                 no progress output
`;

export async function restoreCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      from: { type: 'string' },
      ...S3_FLAGS,
      'decrypt-key-file': { type: 'string' },
      target: { type: 'string' },
      ...TLS_FLAGS,
      rename: { type: 'string', multiple: true },
      databases: { type: 'string' },
      tables: { type: 'string' },
      chunks: { type: 'string' },
      'key-from': { type: 'string' },
      'key-to': { type: 'string' },
      threads: { type: 'string' },
      'drop-existing': { type: 'boolean' },
      'defer-indexes': { type: 'boolean' },
      'no-defer-indexes': { type: 'boolean' },
      'load-method': { type: 'string' },
      'no-binlog': { type: 'boolean' },
      'max-rate': { type: 'string' },
      'max-threads-running': { type: 'string' },
      'skip-verify': { type: 'boolean' },
      resume: { type: 'boolean' },
      'state-dir': { type: 'string' },
      'no-objects': { type: 'boolean' },
      'disable-events': { type: 'boolean' },
      users: { type: 'boolean' },
      'skip-existing-users': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
  if (!values.from) throw new UsageError('--from is required (the dump directory)');
  const target = serverUri('target', values.target, { uri: 'PARADUMP_TARGET', password: 'PARADUMP_TARGET_PASSWORD' });
  const tables = list(values.tables);
  const partial = values.chunks !== undefined || values['key-from'] !== undefined || values['key-to'] !== undefined;
  if (partial && tables.length !== 1) throw new UsageError('--chunks, --key-from and --key-to need --tables naming exactly one table');

  const loadMethod = values['load-method'] ?? 'auto';
  if (loadMethod !== 'auto' && loadMethod !== 'insert' && loadMethod !== 'load-data') throw new UsageError(`--load-method must be auto, load-data or insert, got "${loadMethod}"`);

  const tls = tlsOption(values);
  const options: RestoreOptionsInput = {
    from: values.from,
    ...(storageOption(values) ? { storage: storageOption(values) } : {}),
    ...(values['decrypt-key-file'] !== undefined ? { decryption: { keyFile: values['decrypt-key-file'] } } : {}),
    target,
    ...(tls ? { tls } : {}),
    rename: parseRenames((values.rename ?? []).flatMap((r) => list(r))),
    databases: list(values.databases),
    tables,
    ...(partial
      ? {
          chunks: {
            ...(values.chunks !== undefined ? { indexes: parseChunkIndexes(values.chunks) } : {}),
            ...(values['key-from'] !== undefined ? { lower: parseKeyBound('--key-from', values['key-from']) } : {}),
            ...(values['key-to'] !== undefined ? { upper: parseKeyBound('--key-to', values['key-to']) } : {}),
          },
        }
      : {}),
    threads: integer('threads', values.threads),
    maxRate: values['max-rate'],
    maxThreadsRunning: integer('max-threads-running', values['max-threads-running']),
    dropExisting: values['drop-existing'] ?? false,
    deferIndexes: deferIndexes(values['defer-indexes'], values['no-defer-indexes']),
    loadMethod,
    noBinlog: values['no-binlog'] ?? false,
    skipVerify: values['skip-verify'] ?? false,
    resume: values.resume ?? false,
    objects: !values['no-objects'],
    disableEvents: values['disable-events'] ?? false,
    users: values.users ?? false,
    skipExistingUsers: values['skip-existing-users'] ?? false,
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
  };
  const mode = values.json ? 'json' : values.quiet ? 'quiet' : io.stderr.isTTY ? 'bar' : 'lines';
  const reporter = createRestoreReporter({ mode, stdout: io.stdout, stderr: io.stderr });
  let loading = false;
  const onEvent = (e: RestoreEvent) => {
    if (e.type === 'files-checked') loading = true;
    reporter.onEvent(e);
  };
  try {
    const result = await withInterrupt((signal) => restore(options, { onEvent, signal }));
    reporter.finish();
    if (mode !== 'json' && mode !== 'quiet') {
      io.stderr.write(
        `restored ${result.tables} tables (${result.rows} rows in ${result.chunks} chunks, ${formatBytes(result.bytes)}${result.skippedChunks ? `; ${result.skippedChunks} chunks were already loaded` : ''}) and ${result.objects} objects in ${(result.durationMs / 1000).toFixed(1)} s\n`,
      );
      if (result.accounts) io.stderr.write(describeAccounts(result.accounts));
    }
    return 0;
  } catch (error) {
    reporter.finish();
    if (loading && mode !== 'json') io.stderr.write(`the restore is journaled: run the same command with --resume to continue it\n`);
    throw error;
  }
}

/** `--defer-indexes` is the default (kept for scripts that pass it); `--no-defer-indexes` turns it off. */
function deferIndexes(on: boolean | undefined, off: boolean | undefined): boolean {
  if (on && off) throw new UsageError('--defer-indexes and --no-defer-indexes contradict each other');
  return !off;
}

/** The accounts report: what was created, what the target had already. */
function describeAccounts(report: { created: string[]; skipped: string[] }): string {
  const names = (list: string[]) => (list.length > 0 ? `: ${list.join(', ')}` : '');
  return `accounts: ${report.created.length} created${names(report.created)}\n` + (report.skipped.length > 0 ? `accounts: ${report.skipped.length} skipped, the target had them already${names(report.skipped)}\n` : '');
}

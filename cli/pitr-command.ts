import { parseArgs } from 'node:util';
import { parseRenames, type PitrOptionsInput } from '../lib/restore/options.ts';
import { pitr } from '../lib/restore/pitr.ts';
import { list, prefixedTlsUsage, serverUri, SOURCE_TLS_FLAGS, TARGET_TLS_FLAGS, tlsOption, UsageError, withInterrupt, type Io , S3_FLAGS, S3_USAGE, storageOption } from './args.ts';
import { createPitrReporter } from './restore-progress.ts';

export const PITR_USAGE = `  paradump pitr --from DIR --source URI --target URI --until POINT [options]
    --from DIR              the dump that was restored into the target, or s3://bucket/prefix
${S3_USAGE}    --decrypt-key-file F    an encrypted dump's key file: not needed (pitr reads only the
                              manifest), checked against the dump's key id when given
    --source URI            the server the dump was taken from: its binary log is read
                            (or env PARADUMP_SOURCE; password from env PARADUMP_PASSWORD)
    --target URI            where the dump was restored (or env PARADUMP_TARGET;
                            password from env PARADUMP_TARGET_PASSWORD)
${prefixedTlsUsage('source')}${prefixedTlsUsage('target')}                            (PEM files; the binlog reader and the SQL client get them
                            too, copied to a private temp dir removed after the run)
    --until POINT           end                    the end of the binary log now
                            '2026-11-23 12:00:00'  transactions logged before it (UTC,
                                                   or add Z / +02:00)
                            binlog.000042:1234     events before this position
                            0-1-500                up to and including this GTID (MariaDB)
    --rename SRC:DST        the dump's database SRC was restored as DST (repeatable)
    --databases a,b         only these databases
    --binlog-dir DIR        read binlog files from DIR instead of the source server
    --binlog auto|on|off    write the replayed transactions to the target's binary log:
                            auto (default) = off when the target is the source itself
                            (a replay never reads what it wrote), on otherwise (the
                            target's replicas see them); on into the source itself
                            logs them with the server's own GTIDs
    --no-binlog             the same as --binlog off
    --resume                continue an earlier replay into these databases from where
                            the target records it stopped (paradump_recovery.pitr_progress)
    --binlog-tool PATH      the binlog reader (default mariadb-binlog, else mysqlbinlog)
    --client PATH           the SQL client (default mariadb, else mysql)
    --dry-run               print the plan and the exact commands; change nothing
    --json                  print events as JSON lines on stdout
    --quiet                 no progress output
`;

export async function pitrCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      from: { type: 'string' },
      'decrypt-key-file': { type: 'string' },
      ...S3_FLAGS,
      source: { type: 'string' },
      target: { type: 'string' },
      ...SOURCE_TLS_FLAGS,
      ...TARGET_TLS_FLAGS,
      until: { type: 'string' },
      rename: { type: 'string', multiple: true },
      databases: { type: 'string' },
      'binlog-dir': { type: 'string' },
      'no-binlog': { type: 'boolean' },
      binlog: { type: 'string' },
      resume: { type: 'boolean' },
      'binlog-tool': { type: 'string' },
      client: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
  if (!values.from) throw new UsageError('--from is required (the dump directory)');
  if (!values.until) throw new UsageError("--until is required: end, a datetime ('2026-11-23 12:00:00', UTC), binlog-file:position or a GTID");
  const source = values['binlog-dir'] && !values.source && !process.env.PARADUMP_SOURCE ? undefined : serverUri('source', values.source, { uri: 'PARADUMP_SOURCE', password: 'PARADUMP_PASSWORD' });
  const target = serverUri('target', values.target, { uri: 'PARADUMP_TARGET', password: 'PARADUMP_TARGET_PASSWORD' });
  const sourceTls = tlsOption(values, 'source-');
  const targetTls = tlsOption(values, 'target-');
  if (sourceTls && !source) throw new UsageError('--source-ssl-* flags only mean something with --source (the binlog is read from --binlog-dir)');
  const options: PitrOptionsInput = {
    from: values.from,
    ...(storageOption(values) ? { storage: storageOption(values) } : {}),
    ...(values['decrypt-key-file'] !== undefined ? { decryption: { keyFile: values['decrypt-key-file'] } } : {}),
    ...(source ? { source } : {}),
    target,
    ...(sourceTls ? { sourceTls } : {}),
    ...(targetTls ? { targetTls } : {}),
    until: values.until,
    rename: parseRenames((values.rename ?? []).flatMap((r) => list(r))),
    databases: list(values.databases),
    ...(values['binlog-dir'] ? { binlogDir: values['binlog-dir'] } : {}),
    noBinlog: values['no-binlog'] ?? false,
    ...(values.binlog !== undefined ? { binlog: binlogMode(values.binlog) } : {}),
    resume: values.resume ?? false,
    ...(values['binlog-tool'] ? { binlogTool: values['binlog-tool'] } : {}),
    ...(values.client ? { clientTool: values.client } : {}),
    dryRun: values['dry-run'] ?? false,
  };
  const mode = values.json ? 'json' : values.quiet ? 'quiet' : io.stderr.isTTY ? 'bar' : 'lines';
  const reporter = createPitrReporter({ mode, stdout: io.stdout, stderr: io.stderr });
  const result = await withInterrupt((signal) => pitr(options, { onEvent: reporter.onEvent, signal }));
  if (result.dryRun && mode !== 'json') {
    // The commands go to stdout: they are the output of a dry run. With several readers, paradump
    // merges their outputs in commit order before the client: the lines are what each runs.
    io.stdout.write(result.plan.commands.join('\n') + '\n');
  } else if (mode !== 'json' && mode !== 'quiet') {
    io.stderr.write(`replayed ${result.transactions} transactions into ${result.plan.target} up to ${result.plan.stop.description} in ${(result.durationMs / 1000).toFixed(1)} s\n`);
  }
  return 0;
}

function binlogMode(value: string): 'auto' | 'on' | 'off' {
  if (value === 'auto' || value === 'on' || value === 'off') return value;
  throw new UsageError(`--binlog must be auto, on or off (got "${value}")`);
}

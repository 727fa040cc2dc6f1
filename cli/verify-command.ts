import { parseArgs } from 'node:util';
import { parseChunkIndexes, parseRenames, type VerifyOptionsInput } from '../lib/restore/options.ts';
import { verify } from '../lib/restore/verify.ts';
import { integer, list, TLS_FLAGS, TLS_USAGE, tlsOption, UsageError, withInterrupt, type Io , S3_FLAGS, S3_USAGE, storageOption } from './args.ts';
import { createVerifyReporter } from './restore-progress.ts';

export const VERIFY_USAGE = `  paradump verify --from DIR [--target URI [--rename SRC:DST]] [options]
    --from DIR              the dump directory, or s3://bucket/prefix
${S3_USAGE}                            without --target: every data file's size and sha256 against the manifest
    --decrypt-key-file F    the key file of an encrypted dump (required for one): each data
                              file is also decrypted and every segment authenticated
    --target URI            compare the rows in this server, chunk by chunk, with the manifest's
                            content hashes (or env PARADUMP_TARGET / PARADUMP_TARGET_PASSWORD)
${TLS_USAGE}    --rename SRC:DST        the dump's database SRC was restored as DST (repeatable)
    --databases a,b         only these databases
    --tables db.t,...       only these tables
    --chunks 3,5-7          with one --tables table: only these chunks
    --threads N             parallel readers (default 4)
    --json                  print events as JSON lines on stdout
    --quiet                 print only mismatches
  exit status: 0 all chunks match, 1 something differs (named with its key range)
`;

export async function verifyCommand(args: string[], io: Io): Promise<number> {
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
      threads: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
  if (!values.from) throw new UsageError('--from is required (the dump directory)');
  let target = values.target ?? process.env.PARADUMP_TARGET;
  const password = process.env.PARADUMP_TARGET_PASSWORD;
  if (target && password) {
    try {
      const url = new URL(target);
      if (!url.password) {
        url.password = encodeURIComponent(password);
        target = url.toString().replace(/\/$/, '');
      }
    } catch {
      // parseServerUri names the problem
    }
  }
  const tables = list(values.tables);
  if (values.chunks !== undefined && tables.length !== 1) throw new UsageError('--chunks needs --tables naming exactly one table');
  const renames = (values.rename ?? []).flatMap((r) => list(r));
  if (renames.length > 0 && !target) throw new UsageError('--rename only means something with --target');
  const tls = tlsOption(values);
  if (tls && !target) throw new UsageError('--ssl-mode, --ssl-ca, --ssl-cert and --ssl-key only mean something with --target');
  const options: VerifyOptionsInput = {
    from: values.from,
    ...(storageOption(values) ? { storage: storageOption(values) } : {}),
    ...(values['decrypt-key-file'] !== undefined ? { decryption: { keyFile: values['decrypt-key-file'] } } : {}),
    ...(target ? { target } : {}),
    ...(tls ? { tls } : {}),
    rename: parseRenames(renames),
    databases: list(values.databases),
    tables,
    ...(values.chunks !== undefined ? { chunks: { indexes: parseChunkIndexes(values.chunks) } } : {}),
    threads: integer('threads', values.threads),
  };
  const mode = values.json ? 'json' : values.quiet ? 'quiet' : io.stderr.isTTY ? 'bar' : 'lines';
  const reporter = createVerifyReporter({ mode: mode === 'quiet' ? 'lines' : mode, stdout: io.stdout, stderr: io.stderr });
  const quietFilter = mode === 'quiet';
  try {
    const report = await withInterrupt((signal) =>
      verify(options, {
        signal,
        onEvent: (e) => {
          if (quietFilter && (e.type !== 'table-verified' || e.result.mismatched.length === 0)) return;
          reporter.onEvent(e);
        },
      }),
    );
    reporter.finish();
    for (const f of report.files) io.stderr.write(`MISSING   ${f.file}\n`);
    if (mode !== 'json') {
      io.stderr.write(
        report.ok
          ? `verify ok: ${report.chunks} chunks of ${report.tables.length} tables match the manifest${report.mode === 'files' ? ' (files)' : ''}\n`
          : `verify FAILED: ${report.mismatched} of ${report.chunks} chunks differ${report.files.length ? `, ${report.files.length} files missing` : ''}\n`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    reporter.finish();
  }
}

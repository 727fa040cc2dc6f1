import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import { parseOptions } from '../core/parse-options.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import { Session } from '../mysql/session.ts';
import { TlsFiles } from '../mysql/tls-files.ts';
import { parseServerUri, redactUri, withTls, type ServerAddress } from '../mysql/uri.ts';
import { mergeTimeline, type TimelinePoint } from './binlog-timeline.ts';
import type { PitrEvent, PitrEventListener } from './events.ts';
import { PitrOptions, type PitrOptionsInput } from './options.ts';
import { planPitr, type PitrPlan } from './pitr-plan.ts';
import { beginProgress, claimStatement, endProgress, progressStatement, readProgress, replayKey, stopEarlierReplay } from './pitr-progress.ts';

export { planPitr, shellQuote, type PitrPlan, type PitrRun } from './pitr-plan.ts';

export interface PitrResult {
  plan: PitrPlan;
  dryRun: boolean;
  transactions: number;
  durationMs: number;
  /** Where the target is now: the end of the last transaction replayed (null when none was). */
  reached: TimelinePoint | null;
}

export interface PitrControls {
  onEvent?: PitrEventListener;
  signal?: AbortSignal;
}

/**
 * Point-in-time recovery: replays the source's binary log from the dump's snapshot coordinates up to
 * a stop point into the target (where the dump was restored), with database renames applied. One
 * `mariadb-binlog` per database filters and renames; paradump merges their outputs into one timeline
 * in commit order and pipes it into one `mariadb` client, so every transaction is applied whole, and
 * records in the target, inside each transaction, how far it got. `dryRun` only plans.
 */
export async function pitr(input: PitrOptionsInput, controls: PitrControls = {}): Promise<PitrResult> {
  const emit: PitrEventListener = (e) => controls.onEvent?.(e);
  const signal = controls.signal;
  const tick = performance.now();
  let tlsFiles: TlsFiles | null = null;
  let reached: TimelinePoint | null = null;
  try {
    const options = parseOptions(PitrOptions, input);
    const sourceAddress = options.source && !options.binlogDir ? withTls(parseServerUri(options.source), options.sourceTls) : null;
    const targetAddress = withTls(parseServerUri(options.target), options.targetTls);
    if (options.resume && !options.dryRun) await stopEarlierReplayInto(targetAddress, options);
    // The client programs take PEM only as files: written for this run alone, removed in finally.
    if (!options.dryRun) tlsFiles = await TlsFiles.write({ source: sourceAddress?.tls, target: targetAddress.tls });
    const files = tlsFiles ? { source: tlsFiles.of('source'), target: tlsFiles.of('target') } : undefined;
    const plan = await planPitr(options, (code, message) => emit({ type: 'warning', code, message }), files);
    emit({ type: 'plan', plan });
    let transactions = 0;
    if (!options.dryRun) {
      signal?.throwIfAborted();
      const r = await replayTimeline({ plan, sourceAddress, targetAddress, signal, emit, onReached: (p) => (reached = p) });
      transactions = r.transactions;
    }
    const durationMs = Math.round(performance.now() - tick);
    emit({ type: 'run-finished', at: new Date().toISOString(), databases: plan.runs.length, transactions, durationMs, dryRun: options.dryRun });
    return { plan, dryRun: options.dryRun, transactions, durationMs, reached };
  } catch (error) {
    const at = reached as TimelinePoint | null;
    const where = at ? ` It replayed up to ${at.file}:${at.position}${at.gtid ? ` (GTID ${at.gtid})` : ''}, recorded in the target: pitr --resume continues from there.` : '';
    const failure = signal?.aborted
      ? new ParadumpError('ABORTED', `point-in-time recovery was cancelled.${where || ' Nothing was replayed.'}`, { cause: error, details: { reached: at } })
      : isParadumpError(error)
        ? at ? new ParadumpError(error.code, `${error.message}.${where}`, { cause: error, details: { ...error.details, reached: at } }) : error
        : fromDriverError(error, 'point-in-time recovery');
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    await tlsFiles?.remove();
  }
}

/** A resume first stops the earlier replay's SQL client if it is still applying (its paradump was killed). */
async function stopEarlierReplayInto(address: ServerAddress, options: PitrOptions): Promise<void> {
  const plan = await planPitr({ ...options, resume: false, dryRun: true, until: 'end' }).catch(() => null);
  if (!plan) return; // planPitr with the real options says what is wrong
  const session = await Session.open(address, { label: `connecting to the target ${redactUri(address)}` });
  try {
    const progress = await readProgress(session, replayKey(plan.targetDatabases));
    if (progress?.state === 'running') await stopEarlierReplay(session, progress.connectionId);
  } finally {
    await session.close();
  }
}

interface ReplayArgs {
  plan: PitrPlan;
  sourceAddress: ServerAddress | null;
  targetAddress: ServerAddress;
  signal: AbortSignal | undefined;
  emit: (e: PitrEvent) => void;
  onReached: (point: TimelinePoint) => void;
}

/** Runs the readers, merges them and feeds the client; the progress row follows every transaction. */
async function replayTimeline(args: ReplayArgs): Promise<{ transactions: number }> {
  const { plan, emit } = args;
  const control = await Session.open(args.targetAddress, { label: `connecting to the target ${redactUri(args.targetAddress)}` });
  const started = performance.now();
  let transactions = 0;
  let bytes = 0;
  let ok = false;
  try {
    if (!plan.binlog.write) {
      try {
        await control.exec('SET SESSION sql_log_bin = 0');
      } catch (error) {
        throw fromDriverError(error, 'not writing the replay to the target\'s binary log needs SET SESSION sql_log_bin = 0 (SUPER or BINLOG ADMIN privilege)');
      }
    }
    const from = plan.resumeFrom ?? { ...plan.runs[0]!.start, gtid: null };
    await beginProgress(control, { key: plan.replayKey, targetDatabases: plan.targetDatabases, dump: plan.dump, from, stop: plan.stop.description, keepCount: plan.resumeFrom !== null });
    for (const run of plan.runs) emit({ type: 'replay-started', database: run.database, targetDatabase: run.targetDatabase, command: plan.commands[plan.runs.indexOf(run)]! });

    const env = (a: ServerAddress | null, extra: Record<string, string> = {}) => {
      const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
      if (a?.password) e.MYSQL_PWD = a.password;
      else delete e.MYSQL_PWD;
      return e;
    };
    const launched = plan.runs.map((run) => startReader(plan.reader, run.readerArgs, env(args.sourceAddress, { TZ: 'UTC' })));
    const readers = launched.map((r) => r.child);
    const client = spawn(plan.client, plan.clientArgs, { stdio: ['pipe', 'ignore', 'pipe'], env: env(args.targetAddress) });
    const children = [...readers, client];
    const stderrs = children.map((c) => collect(c.stderr));
    const exits = [...launched.map((r) => r.exit), exitOf(client)];
    const onAbort = () => children.forEach((c) => c.kill('SIGTERM'));
    args.signal?.addEventListener('abort', onAbort, { once: true });
    let lastReport = 0;
    let last: TimelinePoint | null = null;
    const report = (point: TimelinePoint | null, force = false) => {
      if (point) last = point;
      const now = performance.now();
      if (!force && now - lastReport < 500) return;
      lastReport = now;
      const at = point ?? last;
      for (const run of plan.runs) emit({ type: 'replay-progress', database: run.database, file: at?.file ?? run.start.file, position: at?.position ?? run.start.position, transactions, bytes, lastEventAt: at?.loggedAt ?? null });
    };
    const timeline = mergeTimeline({
      readers: launched.map((r, i) => ({ chunks: r.output, startFile: plan.runs[i]!.start.file })),
      freshGtids: plan.binlog.freshGtids,
      progressStatement: (point) => progressStatement(plan.replayKey, point),
      onTransaction: (point) => {
        transactions++;
        args.onReached(point);
        report(point);
      },
    });
    async function* input() {
      // Before the reader's preamble (which turns the binary log off with --disable-log-bin).
      if (!plan.binlog.write) yield Buffer.from('SET SESSION sql_log_bin = 0;\n');
      yield Buffer.from(`${claimStatement(plan.replayKey)};\n`);
      for await (const chunk of timeline) {
        bytes += chunk.length;
        yield chunk;
      }
    }
    try {
      const piped = pipeline(Readable.from(input()), client.stdin!).then(
        () => null,
        (error: Error) => error,
      );
      const [pipeError, ...codes] = await Promise.all([piped, ...exits]);
      args.signal?.throwIfAborted();
      await failureOf({ plan, codes, stderrs, pipeError });
    } finally {
      args.signal?.removeEventListener('abort', onAbort);
      // A reader the merge stopped reading from (a failure elsewhere) must not be left running.
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    }
    report(null, true);
    for (const run of plan.runs) emit({ type: 'replay-finished', database: run.database, targetDatabase: run.targetDatabase, transactions, bytes, durationMs: Math.round(performance.now() - started) });
    ok = true;
    return { transactions };
  } finally {
    await endProgress(control, plan.replayKey, ok ? 'finished' : 'failed', ok ? plan.stop.at : null).catch(() => undefined);
    if (!ok) {
      // What the target committed, not what was sent: the row is updated inside each transaction.
      const row = await readProgress(control, plan.replayKey).catch(() => null);
      if (row && row.transactions > 0) args.onReached({ file: row.file, position: row.position, gtid: row.gtid });
    }
    await control.close();
  }
}

/** The first failure, in the order that explains most: the client's SQL error, a reader's, the merge's. */
async function failureOf(p: { plan: PitrPlan; codes: { code: number | null; error?: Error }[]; stderrs: Promise<string>[]; pipeError: Error | null }): Promise<void> {
  const { plan } = p;
  const clientIndex = p.codes.length - 1;
  const clientExit = p.codes[clientIndex]!;
  const what = `replaying ${plan.runs.map((r) => r.database).join(', ')} into ${plan.targetDatabases.join(', ')}`;
  if (clientExit.error || clientExit.code !== 0) {
    const stderr = await p.stderrs[clientIndex]!;
    throw new ParadumpError('QUERY_FAILED', `${what}: ${plan.client} failed (exit ${clientExit.code ?? clientExit.error?.message}): ${firstLine(stderr)}`, { details: { reason: 'CLIENT_FAILED', stderr } });
  }
  for (const [i, run] of plan.runs.entries()) {
    const exit = p.codes[i]!;
    if (exit.error || exit.code !== 0) {
      const stderr = await p.stderrs[i]!;
      throw new ParadumpError('QUERY_FAILED', `${what}: ${plan.reader} for ${run.database} failed (exit ${exit.code ?? exit.error?.message}): ${firstLine(stderr)}`, { details: { reason: 'READER_FAILED', stderr, database: run.database } });
    }
  }
  if (p.pipeError) throw isParadumpError(p.pipeError) ? p.pipeError : new ParadumpError('INTERNAL', `${what}: ${p.pipeError.message}`, { cause: p.pipeError });
}

/** The client's ERROR line (it prints the failing statement between dashes first). */
function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const error = lines.find((l) => /^ERROR\b/.test(l));
  return error ?? lines.find((l) => l !== '' && !/^-+$/.test(l)) ?? '(no message)';
}

function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve) => {
    let s = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      if (s.length < 65_536) s += d;
    });
    stream.on('close', () => resolve(s));
    stream.on('end', () => resolve(s));
    stream.on('error', () => resolve(s));
  });
}

/**
 * Starts one reader with its output already being taken. When a child exits, Node resumes every
 * stdio stream nobody listens to, which throws its unread output away: a reader that finished while
 * the others were still starting lost all it had printed (its databases then missed their share of
 * every transaction). Piping at once keeps the output, with backpressure on the reader.
 */
function startReader(command: string, argv: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: Readable; exit: Promise<{ code: number | null; error?: Error }> } {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exit = exitOf(child);
  const output = child.stdout!.pipe(new PassThrough({ highWaterMark: READER_BUFFER }));
  return { child, output, exit };
}

const READER_BUFFER = 1 << 20;

function exitOf(child: ChildProcess): Promise<{ code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, error: err.code === 'ENOENT' ? new Error('program not found') : err }));
    child.once('close', (code) => resolve({ code }));
  });
}

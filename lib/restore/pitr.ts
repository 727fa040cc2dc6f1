import { spawn, spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromDriverError } from '../mysql/driver-error.ts';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import type { Manifest, SnapshotRecord } from '../core/manifest.ts';
import { peerIdentityProblem, Session } from '../mysql/session.ts';
import { clientTlsArgs, type ClientToolKind, type TlsFilePaths } from '../mysql/tls.ts';
import { TlsFiles } from '../mysql/tls-files.ts';
import { parseServerUri, redactUri, withTls, type ServerAddress } from '../mysql/uri.ts';
import type { PitrEvent, PitrEventListener } from './events.ts';
import { parseOptions } from '../core/parse-options.ts';
import { parseStopPoint, PitrOptions, type PitrOptionsInput, type StopPoint } from './options.ts';
import { readManifest } from './read-manifest.ts';
import { selectFromManifest } from './select.ts';

/** One replay: one database (or one table, when tables were read in their own snapshots). */
export interface PitrRun {
  database: string;
  targetDatabase: string;
  /** Set when only this table's row events are replayed. */
  table: string | null;
  /** The dump's snapshot for these rows: replay starts here. */
  start: { file: string; position: number };
  /** Binlog files read, in order (names on the server, or paths with binlogDir). */
  files: string[];
  /**
   * Arguments of the binlog reader and of the SQL client (no passwords: they go in MYSQL_PWD; TLS
   * PEM only as file paths, placeholders like `$PARADUMP_SOURCE_SSL_KEY` when only planned).
   */
  readerArgs: string[];
  clientArgs: string[];
}

export interface PitrPlan {
  source: string | null;
  target: string;
  reader: string;
  client: string;
  stop: { kind: StopPoint['kind']; description: string; args: string[] };
  runs: PitrRun[];
  /**
   * The exact pipelines, runnable in a shell (passwords, and the paths of TLS PEM files, come from
   * the environment variables named).
   */
  commands: string[];
  notes: string[];
}

export interface PitrResult {
  plan: PitrPlan;
  dryRun: boolean;
  transactions: number;
  durationMs: number;
}

export interface PitrControls {
  onEvent?: PitrEventListener;
  signal?: AbortSignal;
}

/**
 * Point-in-time recovery: replays the source's binary log from the dump's snapshot coordinates up to
 * a stop point into the target (where the dump was restored), with database renames applied, using
 * `mariadb-binlog` (or `mysqlbinlog`) piped into the `mariadb` (or `mysql`) client. Each database is
 * replayed by its own pipeline (`--database` filters by the table a row event touches), one after
 * another. `dryRun` only plans.
 */
export async function pitr(input: PitrOptionsInput, controls: PitrControls = {}): Promise<PitrResult> {
  const emit: PitrEventListener = (e) => controls.onEvent?.(e);
  const signal = controls.signal;
  const tick = performance.now();
  let tlsFiles: TlsFiles | null = null;
  try {
    const options = parseOptions(PitrOptions, input);
    const sourceAddress = options.source && !options.binlogDir ? withTls(parseServerUri(options.source), options.sourceTls) : null;
    const targetAddress = withTls(parseServerUri(options.target), options.targetTls);
    // The client programs take PEM only as files: written for this run alone, removed in finally.
    if (!options.dryRun) tlsFiles = await TlsFiles.write({ source: sourceAddress?.tls, target: targetAddress.tls });
    const files = tlsFiles ? { source: tlsFiles.of('source'), target: tlsFiles.of('target') } : undefined;
    const plan = await planPitr(options, (code, message) => emit({ type: 'warning', code, message }), files);
    emit({ type: 'plan', plan });
    let transactions = 0;
    if (!options.dryRun) {
      for (const run of plan.runs) {
        signal?.throwIfAborted();
        const command = plan.commands[plan.runs.indexOf(run)]!;
        emit({ type: 'replay-started', database: run.database, targetDatabase: run.targetDatabase, command });
        const started = performance.now();
        const r = await replay({ plan, run, sourceAddress, targetAddress, signal, emit });
        transactions += r.transactions;
        emit({ type: 'replay-finished', database: run.database, targetDatabase: run.targetDatabase, transactions: r.transactions, bytes: r.bytes, durationMs: Math.round(performance.now() - started) });
      }
    }
    const durationMs = Math.round(performance.now() - tick);
    emit({ type: 'run-finished', at: new Date().toISOString(), databases: plan.runs.length, transactions, durationMs, dryRun: options.dryRun });
    return { plan, dryRun: options.dryRun, transactions, durationMs };
  } catch (error) {
    const failure = signal?.aborted ? new ParadumpError('ABORTED', 'point-in-time recovery was cancelled; the target is partly replayed (restore again to retry)', { cause: error }) : isParadumpError(error) ? error : fromDriverError(error, 'point-in-time recovery');
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    await tlsFiles?.remove();
  }
}

interface BinlogFile {
  name: string;
  size: number;
}

/**
 * Works out starting points, binlog files, the stop and the exact commands; refuses what cannot work.
 * `tlsFiles`: where the PEM of the source's and target's TLS settings are written (pitr() writes
 * them); without, the arguments name placeholders (`$PARADUMP_TARGET_SSL_CA`, …).
 */
export async function planPitr(options: PitrOptions, warn: (code: string, message: string) => void = () => undefined, tlsFiles?: { source: TlsFilePaths; target: TlsFilePaths }): Promise<PitrPlan> {
  const stopPoint = parseStopPoint(options.until);
  const { manifest } = await readManifest(options.from);
  const selection = selectFromManifest({ manifest, rename: options.rename, databases: options.databases, tables: [], objects: true });
  const targetAddress = withTls(parseServerUri(options.target), options.targetTls);
  const sourceAddress = options.source ? withTls(parseServerUri(options.source), options.sourceTls) : null;
  const reader = options.binlogTool ?? findTool(['mariadb-binlog', 'mysqlbinlog']);
  const client = options.clientTool ?? findTool(['mariadb', 'mysql']);
  const notes: string[] = [];

  // Where replay starts: the snapshot the rows were read in, per database, or per table when the
  // tables of a database were read in different snapshots.
  const snapshots = new Map(manifest.consistency.snapshots.map((s) => [s.id, s]));
  const starts: { database: string; targetDatabase: string; table: string | null; snapshot: SnapshotRecord }[] = [];
  for (const db of selection.databases) {
    const tables = selection.tables.filter((t) => t.record.database === db.record.name);
    const idsOf = (chunks: readonly { snapshot: number }[]) => [...new Set(chunks.map((c) => c.snapshot))];
    const dbIds = idsOf(tables.flatMap((t) => t.record.chunks));
    const snapshotOf = (id: number, what: string) => {
      const s = snapshots.get(id);
      if (!s || !s.binlog) throw noCoordinates(manifest, what);
      return s;
    };
    if (dbIds.length === 1) {
      starts.push({ database: db.record.name, targetDatabase: db.targetDatabase, table: null, snapshot: snapshotOf(dbIds[0]!, `database ${db.record.name}`) });
    } else if (dbIds.length === 0) {
      const s = manifest.consistency.snapshots.find((x) => x.scope === 'instance' || (x.scope === 'database' && x.target === db.record.name));
      if (!s?.binlog) {
        notes.push(`database ${db.record.name} has no tables in the dump: nothing to replay for it`);
        continue;
      }
      starts.push({ database: db.record.name, targetDatabase: db.targetDatabase, table: null, snapshot: s });
    } else {
      for (const t of tables) {
        const ids = idsOf(t.record.chunks);
        if (ids.length !== 1) {
          throw new ParadumpError('SEVERAL_SNAPSHOTS', `${t.record.database}.${t.record.table} was read in ${ids.length} snapshots (the dump was resumed); point-in-time recovery needs one starting point per table: take a new dump`, {
            details: { reason: 'SEVERAL_SNAPSHOTS', table: `${t.record.database}.${t.record.table}` },
          });
        }
        starts.push({ database: db.record.name, targetDatabase: db.targetDatabase, table: t.record.table, snapshot: snapshotOf(ids[0]!, `${t.record.database}.${t.record.table}`) });
      }
    }
  }
  if (starts.length === 0) throw new ParadumpError('BAD_OPTION', 'nothing to replay: the selected databases have no tables in the dump');

  // With TLS, the target is reached once the engine's way first: it must offer TLS (the MariaDB
  // client would go on in plain text) and, for verify-ca, whether its certificate names the host
  // decides how the client checks it (see clientTlsArgs).
  let sourceNamesHost = false;
  let targetNamesHost = false;
  if (targetAddress.tls.mode !== 'off') {
    const session = await Session.open(targetAddress, { label: `connecting to the target ${redactUri(targetAddress)}` });
    try {
      targetNamesHost = namesHost(session, targetAddress);
    } finally {
      await session.close();
    }
  }

  // The binlog files there are, and the end of the log right now.
  let files: BinlogFile[];
  let end: { file: string; position: number } | null = null;
  let currentGtid: string | null = null;
  if (options.binlogDir) {
    files = await localBinlogs(options.binlogDir, starts[0]!.snapshot.binlog!.file);
  } else {
    const session = await Session.open(sourceAddress!, { label: `connecting to the source ${redactUri(sourceAddress!)}` });
    try {
      sourceNamesHost = namesHost(session, sourceAddress!);
      try {
        files = (await session.query<{ Log_name: string; File_size: string | number }>('SHOW BINARY LOGS')).map((r) => ({ name: r.Log_name, size: Number(r.File_size) }));
      } catch (error) {
        throw fromDriverError(error, 'listing the source binary logs (SHOW BINARY LOGS; needs BINLOG MONITOR or REPLICATION CLIENT)');
      }
      const [status] = await session.query<Record<string, unknown>>(session.sql.binlogStatus);
      if (status && typeof status['File'] === 'string') end = { file: status['File'], position: Number(status['Position']) };
      if (session.sql.gtidPosition) {
        const [g] = await session.query<{ gtid: string | null }>(session.sql.gtidPosition);
        currentGtid = g?.gtid ?? null;
      }
      const [fmt] = await session.query<{ f: string }>('SELECT @@GLOBAL.binlog_format AS f');
      if (fmt && fmt.f !== 'ROW') {
        warn('BINLOG_FORMAT', `the source logs in ${fmt.f} format: statements are filtered by their default database and --rewrite-db does not change database names written inside them`);
      }
    } finally {
      await session.close();
    }
    if (manifest.source.host !== sourceAddress!.host || manifest.source.port !== sourceAddress!.port) {
      warn('SOURCE_DIFFERS', `the dump was taken from ${manifest.source.host}:${manifest.source.port}, the binlog is read from ${sourceAddress!.host}:${sourceAddress!.port}: make sure it is the same server`);
    }
  }
  if (files.length === 0) throw new ParadumpError('NO_BINLOG', 'the source has no binary log (log_bin is off): point-in-time recovery is impossible', { details: { reason: 'NO_BINLOG' } });
  const indexOf = (name: string) => files.findIndex((f) => f.name === name);
  for (const s of starts) {
    const b = s.snapshot.binlog!;
    const i = indexOf(b.file);
    if (i < 0) {
      throw new ParadumpError('BINLOG_PURGED',
        `binlog ${b.file}, where the dump's snapshot is (position ${b.position}), is no longer ${options.binlogDir ? `in ${options.binlogDir}` : 'on the source'} (oldest there: ${files[0]!.name}); the events since the dump were purged, so point-in-time recovery from this dump is impossible`,
        { details: { reason: 'BINLOG_PURGED', file: b.file, oldest: files[0]!.name } },
      );
    }
    if (b.position > files[i]!.size && !options.binlogDir) {
      throw new ParadumpError('BAD_OPTION', `binlog ${b.file} is shorter (${files[i]!.size} bytes) than the dump's position ${b.position}: is this the server the dump was taken from?`, { details: { reason: 'BINLOG_MISMATCH' } });
    }
  }

  // The stop.
  let lastIndex = files.length - 1;
  let stopArgs: string[];
  let description: string;
  const earliest = starts.reduce((a, s) => (compareCoord(indexOf, s.snapshot.binlog!, a) < 0 ? s.snapshot.binlog! : a), starts[0]!.snapshot.binlog!);
  switch (stopPoint.kind) {
    case 'end': {
      if (end) {
        lastIndex = indexOf(end.file);
        stopArgs = [`--stop-position=${end.position}`];
        description = `the end of the binary log when the replay started (${end.file}:${end.position})`;
      } else {
        stopArgs = [];
        description = `the end of the last binlog file in ${options.binlogDir}`;
      }
      break;
    }
    case 'position': {
      lastIndex = indexOf(stopPoint.file);
      if (lastIndex < 0) throw new ParadumpError('BAD_OPTION', `until: binlog ${stopPoint.file} does not exist ${options.binlogDir ? `in ${options.binlogDir}` : 'on the source'} (there: ${files[0]!.name} to ${files.at(-1)!.name})`);
      for (const s of starts) {
        if (compareCoord(indexOf, stopPoint, s.snapshot.binlog!) < 0) {
          throw new ParadumpError('BAD_OPTION', `until: ${stopPoint.file}:${stopPoint.position} is before the dump's snapshot (${s.snapshot.binlog!.file}:${s.snapshot.binlog!.position}); a dump cannot be rolled back`);
        }
      }
      if (stopPoint.position > files[lastIndex]!.size && !options.binlogDir) {
        throw new ParadumpError('BAD_OPTION', `until: ${stopPoint.file} has only ${files[lastIndex]!.size} bytes; position ${stopPoint.position} has not been written yet`);
      }
      stopArgs = [`--stop-position=${stopPoint.position}`];
      description = `binlog position ${stopPoint.file}:${stopPoint.position} (events starting before it)`;
      break;
    }
    case 'datetime': {
      for (const s of starts) {
        const opened = Math.floor(new Date(s.snapshot.openedAt).getTime() / 1000) * 1000;
        if (stopPoint.at.getTime() < opened) {
          throw new ParadumpError('BAD_OPTION', `until: ${stopPoint.at.toISOString()} is before the dump's snapshot (${s.snapshot.openedAt}); a dump cannot be rolled back`);
        }
      }
      if (stopPoint.at.getTime() > Date.now()) warn('STOP_IN_FUTURE', `until: ${stopPoint.at.toISOString()} is in the future: everything logged so far is replayed`);
      const text = stopPoint.at.toISOString().replace('T', ' ').slice(0, 19);
      stopArgs = [`--stop-datetime=${text}`];
      description = `${text} UTC (transactions logged before it)`;
      break;
    }
    case 'gtid': {
      const stop = parseGtidList(stopPoint.gtid);
      for (const s of starts) {
        const at = s.snapshot.gtid ? parseGtidList(s.snapshot.gtid) : new Map<number, { server: number; seq: bigint }>();
        for (const [domain, g] of stop) {
          const from = at.get(domain);
          if (from && g.seq < from.seq) throw new ParadumpError('BAD_OPTION', `until: GTID ${domain}-${g.server}-${g.seq} is before the dump's snapshot (${s.snapshot.gtid}); a dump cannot be rolled back`);
        }
      }
      if (currentGtid !== null) {
        const now = parseGtidList(currentGtid);
        for (const [domain, g] of stop) {
          const cur = now.get(domain);
          if (!cur || g.seq > cur.seq) throw new ParadumpError('BAD_OPTION', `until: GTID ${domain}-${g.server}-${g.seq} has not been logged by the source yet (it is at ${currentGtid})`);
        }
      }
      stopArgs = [`--stop-position=${stopPoint.gtid}`];
      description = `GTID ${stopPoint.gtid} (inclusive)`;
      break;
    }
  }
  if (lastIndex < indexOf(earliest.file)) throw new ParadumpError('BAD_OPTION', 'until: the stop point is before the dump\'s snapshot');

  const remote = !options.binlogDir;
  const connArgs = (a: ServerAddress) => (a.socketPath ? [`--socket=${a.socketPath}`] : ['--protocol=TCP', `--host=${a.host}`, `--port=${a.port}`]).concat([`--user=${a.user}`]);
  // TLS options of each program: with the files written for the run (argv), and as printed (the
  // paths from environment variables, as the passwords).
  const tlsArgsOf = (side: 'source' | 'target', a: ServerAddress, tool: string, certificateNamesHost: boolean) => {
    if (a.tls.mode === 'off') return { argv: [], shown: [] };
    const kind = toolKind(tool);
    const shownFiles = placeholderFiles(side);
    const label = `${side === 'source' ? 'the binlog reader' : 'the SQL client'} (${tool}) connecting to the ${side} ${redactUri(a)}`;
    return {
      argv: clientTlsArgs({ tls: a.tls, kind, certificateNamesHost, label, files: tlsFiles?.[side] ?? shownFiles }),
      shown: clientTlsArgs({ tls: a.tls, kind, certificateNamesHost, label, files: shownFiles }),
    };
  };
  const readerTls = remote ? tlsArgsOf('source', sourceAddress!, reader, sourceNamesHost) : { argv: [], shown: [] };
  const clientTls = tlsArgsOf('target', targetAddress, client, targetNamesHost);
  const shownArgs: { reader: string[]; client: string[] }[] = [];
  const runs: PitrRun[] = starts.map((s) => {
    const b = s.snapshot.binlog!;
    const names = files.slice(indexOf(b.file), lastIndex + 1).map((f) => (remote ? f.name : path.join(options.binlogDir!, f.name)));
    const readerArgsWith = (tls: string[]) => [
      '--no-defaults',
      ...(remote ? ['--read-from-remote-server', ...connArgs(sourceAddress!), ...tls] : []),
      `--start-position=${b.position}`,
      ...stopArgs,
      `--database=${s.database}`,
      ...(s.table !== null ? [`--table=${s.table}`] : []),
      ...(s.targetDatabase !== s.database ? [`--rewrite-db=${s.database}->${s.targetDatabase}`] : []),
      ...(options.noBinlog ? ['--disable-log-bin'] : []),
      ...names,
    ];
    const clientArgsWith = (tls: string[]) => ['--no-defaults', ...connArgs(targetAddress), ...tls, '--binary-mode', '--max-allowed-packet=1073741824'];
    shownArgs.push({ reader: readerArgsWith(readerTls.shown), client: clientArgsWith(clientTls.shown) });
    return { database: s.database, targetDatabase: s.targetDatabase, table: s.table, start: b, files: names, readerArgs: readerArgsWith(readerTls.argv), clientArgs: clientArgsWith(clientTls.argv) };
  });
  if (runs.length > 1) notes.push('databases are replayed one after another, each up to the stop point; while it runs, the target is not consistent across databases');
  if (Object.keys(options.rename).length > 0) notes.push('--rewrite-db renames the database of row events and of statements\' default database; database names written inside statements or view bodies are not rewritten');

  const pwd = (a: ServerAddress | null, variable: string) => (a && a.password ? `MYSQL_PWD="$${variable}" ` : '');
  const commands = shownArgs.map(
    (r) =>
      `${pwd(remote ? sourceAddress : null, 'PARADUMP_PASSWORD')}TZ=UTC ${shellQuote(reader)} ${r.reader.map(shellArg).join(' ')} | ${pwd(targetAddress, 'PARADUMP_TARGET_PASSWORD')}${shellQuote(client)} ${r.client.map(shellArg).join(' ')}`,
  );
  if ((remote && sourceAddress!.tls.mode !== 'off') || targetAddress.tls.mode !== 'off') {
    const withFiles = [...readerTls.shown, ...clientTls.shown].some((a) => PLACEHOLDER_ARG.test(a));
    notes.push(
      `TLS: the binlog reader and the SQL client get ${[remote && sourceAddress!.tls.mode !== 'off' ? `the source's (${sourceAddress!.tls.mode})` : null, targetAddress.tls.mode !== 'off' ? `the target's (${targetAddress.tls.mode})` : null].filter(Boolean).join(' and ')} TLS settings` +
        (withFiles ? '; their PEM is written to files in a private temporary directory for the run and removed after it (running the commands by hand, set the PARADUMP_*_SSL_* variables to PEM files)' : ''),
    );
  }
  return {
    source: sourceAddress ? redactUri(sourceAddress) : null,
    target: redactUri(targetAddress),
    reader,
    client,
    stop: { kind: stopPoint.kind, description, args: stopArgs },
    runs,
    commands,
    notes,
  };
}

/** The printed form of a TLS file's path: an environment variable, as for passwords. */
function placeholderFiles(side: 'source' | 'target'): TlsFilePaths {
  const prefix = `$PARADUMP_${side.toUpperCase()}_SSL_`;
  return { ca: `${prefix}CA`, cert: `${prefix}CERT`, key: `${prefix}KEY` };
}
const PLACEHOLDER_ARG = /^(--ssl-(?:ca|cert|key)=)\$(PARADUMP_(?:SOURCE|TARGET)_SSL_(?:CA|CERT|KEY))$/;

/** shellQuote, but a TLS file placeholder stays a variable the shell expands. */
function shellArg(arg: string): string {
  const m = PLACEHOLDER_ARG.exec(arg);
  return m ? `${m[1]}"$${m[2]}"` : shellQuote(arg);
}

/** Whether the certificate the server showed this TLS session names the host it was reached by. */
function namesHost(session: Session, address: ServerAddress): boolean {
  return address.tls.mode !== 'off' && !address.socketPath && peerIdentityProblem(session.connection, address.host) === undefined;
}

/** MySQL's client programs say "MySQL" in `--version`; MariaDB's (also as mysqlbinlog/mysql) say MariaDB or nothing. */
function toolKind(tool: string): ClientToolKind {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return /MySQL/.test(text) && !/MariaDB/i.test(text) ? 'mysql' : 'mariadb';
}

function noCoordinates(manifest: Manifest, what: string): ParadumpError {
  return new ParadumpError('NO_COORDINATES',
    `the dump has no binlog coordinates for ${what} (lock mode "${manifest.consistency.mode}"${manifest.consistency.mode === 'none' ? ': rows were not read at a known point' : ', or the source had no binary log'}); point-in-time recovery needs a dump with coordinates`,
    { details: { reason: 'NO_COORDINATES' } },
  );
}

function compareCoord(indexOf: (name: string) => number, a: { file: string; position: number }, b: { file: string; position: number }): number {
  const fa = indexOf(a.file);
  const fb = indexOf(b.file);
  return fa !== fb ? fa - fb : a.position - b.position;
}

/** `0-1-5,1-2-7` → domain → { server, seq }. */
function parseGtidList(text: string): Map<number, { server: number; seq: bigint }> {
  const out = new Map<number, { server: number; seq: bigint }>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) continue; // MySQL-style sets are not compared
    out.set(Number(m[1]), { server: Number(m[2]), seq: BigInt(m[3]!) });
  }
  return out;
}

async function localBinlogs(dir: string, startFile: string): Promise<BinlogFile[]> {
  const base = startFile.replace(/\.\d+$/, '');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ParadumpError('BAD_OPTION', `binlogDir: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)$`);
  const matching = names.filter((n) => re.test(n)).sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
  return Promise.all(matching.map(async (name) => ({ name, size: (await stat(path.join(dir, name))).size })));
}

function findTool(names: string[]): string {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return name;
  }
  throw new ParadumpError('TOOL_MISSING', `${names.join(' or ')} not found: install the MariaDB client (apt-get install mariadb-client) or name the program`, { details: { reason: 'TOOL_MISSING' } });
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Passes the reader's text through unchanged, noting positions, file rotations and transactions. */
class ProgressScanner extends Transform {
  bytes = 0;
  transactions = 0;
  position = 0;
  /** The last event header's timestamp (the reader runs with TZ=UTC), as ISO 8601. */
  lastEventAt: string | null = null;
  file: string;
  private tail = '';
  private last = 0;

  constructor(
    startFile: string,
    private readonly onProgress: (s: ProgressScanner) => void,
  ) {
    super();
    this.file = startFile;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    const text = this.tail + chunk.toString('latin1');
    const lines = text.split('\n');
    this.tail = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) {
      if (line.charCodeAt(0) !== 0x23 /* # */) continue;
      if (line.startsWith('# at ')) {
        this.position = Number(line.slice(5)) || this.position;
        continue;
      }
      // `#261203 14:30:05 server id 1  end_log_pos 385 …`: the event's time, in the reader's TZ (UTC).
      const when = /^#(\d\d)(\d\d)(\d\d) +(\d\d?):(\d\d):(\d\d) server id /.exec(line);
      if (when) this.lastEventAt = `20${when[1]}-${when[2]}-${when[3]}T${when[4]!.padStart(2, '0')}:${when[5]}:${when[6]}.000Z`;
      if (line.includes('\tGTID ')) this.transactions++;
      else {
        const rot = /\tRotate to (\S+)/.exec(line);
        if (rot) this.file = rot[1]!;
      }
    }
    const now = performance.now();
    if (now - this.last > 500) {
      this.last = now;
      this.onProgress(this);
    }
    done(null, chunk);
  }
}

async function replay(args: { plan: PitrPlan; run: PitrRun; sourceAddress: ServerAddress | null; targetAddress: ServerAddress; signal: AbortSignal | undefined; emit: (e: PitrEvent) => void }): Promise<{ transactions: number; bytes: number }> {
  const { plan, run } = args;
  const env = (a: ServerAddress | null, extra: Record<string, string> = {}) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
    if (a?.password) e.MYSQL_PWD = a.password;
    else delete e.MYSQL_PWD;
    return e;
  };
  const reader = spawn(plan.reader, run.readerArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: env(args.sourceAddress, { TZ: 'UTC' }) });
  const client = spawn(plan.client, run.clientArgs, { stdio: ['pipe', 'ignore', 'pipe'], env: env(args.targetAddress) });
  const readerErr = collect(reader.stderr);
  const clientErr = collect(client.stderr);
  const readerExit = exitOf(reader);
  const clientExit = exitOf(client);
  const onAbort = () => {
    reader.kill('SIGTERM');
    client.kill('SIGTERM');
  };
  args.signal?.addEventListener('abort', onAbort, { once: true });
  const scanner = new ProgressScanner(run.start.file, (s) =>
    args.emit({ type: 'replay-progress', database: run.database, file: s.file, position: s.position, transactions: s.transactions, bytes: s.bytes, lastEventAt: s.lastEventAt }),
  );
  try {
    const piped = pipeline(reader.stdout, scanner, client.stdin).then(
      () => null,
      (error: Error) => error,
    );
    const [pipeError, rExit, cExit] = await Promise.all([piped, readerExit, clientExit]);
    args.signal?.throwIfAborted();
    const what = `replaying ${run.database}${run.table ? `.${run.table}` : ''} into ${run.targetDatabase}`;
    if (cExit.error || cExit.code !== 0) {
      throw new ParadumpError('QUERY_FAILED', `${what}: ${plan.client} failed (exit ${cExit.code ?? cExit.error?.message}): ${firstLine(await clientErr)}`, {
        details: { reason: 'CLIENT_FAILED', stderr: await clientErr, database: run.database },
      });
    }
    if (rExit.error || rExit.code !== 0) {
      throw new ParadumpError('QUERY_FAILED', `${what}: ${plan.reader} failed (exit ${rExit.code ?? rExit.error?.message}): ${firstLine(await readerErr)}`, {
        details: { reason: 'READER_FAILED', stderr: await readerErr, database: run.database },
      });
    }
    if (pipeError) throw new ParadumpError('INTERNAL', `${what}: ${pipeError.message}`, { cause: pipeError });
    args.emit({ type: 'replay-progress', database: run.database, file: scanner.file, position: scanner.position, transactions: scanner.transactions, bytes: scanner.bytes, lastEventAt: scanner.lastEventAt });
    return { transactions: scanner.transactions, bytes: scanner.bytes };
  } finally {
    args.signal?.removeEventListener('abort', onAbort);
  }
}

/** The client's ERROR line (it prints the failing statement between dashes first). */
function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const error = lines.find((l) => /^ERROR\b/.test(l));
  const line = error ?? lines.find((l) => l !== '' && !/^-+$/.test(l)) ?? '(no message)';
  return /\b1062\b|Duplicate entry/.test(line) ? `${line} (was this target already rolled forward? replay must start from a fresh restore of the dump)` : line;
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

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, error: err.code === 'ENOENT' ? new Error('program not found') : err }));
    child.once('close', (code) => resolve({ code }));
  });
}

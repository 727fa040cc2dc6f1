import { spawnSync } from 'node:child_process';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';
import type { Manifest, SnapshotRecord } from '../core/manifest.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import { peerIdentityProblem, Session } from '../mysql/session.ts';
import { clientTlsArgs, type ClientToolKind, type TlsFilePaths } from '../mysql/tls.ts';
import { parseServerUri, redactUri, withTls, type ServerAddress } from '../mysql/uri.ts';
import { compareBinlogPoints, type BinlogPoint } from './binlog-lines.ts';
import type { TimelinePoint } from './binlog-timeline.ts';
import { parseStopPoint, type PitrOptions, type StopPoint } from './options.ts';
import { readProgress, replayKey, type PitrProgress } from './pitr-progress.ts';
import { keyForManifest, readManifest } from './read-manifest.ts';
import { selectFromManifest } from './select.ts';

/** One binlog reader: one database (or one table, when tables were read in their own snapshots). */
export interface PitrRun {
  database: string;
  targetDatabase: string;
  /** Set when only this table's row events are replayed. */
  table: string | null;
  /** Where this reader starts: the dump's snapshot for these rows, or where a resumed replay stopped. */
  start: BinlogPoint;
  /** Binlog files read, in order (names on the server, or paths with binlogDir). */
  files: string[];
  /** Arguments of the binlog reader (no passwords: they go in MYSQL_PWD; TLS PEM only as file paths). */
  readerArgs: string[];
}

export interface PitrPlan {
  source: string | null;
  target: string;
  reader: string;
  client: string;
  /** `at`: the stop as a binlog position when it is one (end, file:pos): reaching it, the replay is there. */
  stop: { kind: StopPoint['kind']; description: string; args: string[]; at: BinlogPoint | null };
  /** The readers, earliest start first: their outputs are merged into one timeline in commit order. */
  runs: PitrRun[];
  clientArgs: string[];
  /** Whether the replay goes into the target's binary log, and why. */
  binlog: { write: boolean; sameServer: boolean; freshGtids: boolean; reason: string };
  /** The target's progress row for these databases (see pitr-progress.ts) and the dump it is for. */
  replayKey: string;
  dump: string;
  targetDatabases: string[];
  /** Set when continuing an earlier replay: where it stopped. */
  resumeFrom: TimelinePoint | null;
  /** The commands, as a shell would run them (passwords and PEM from the environment variables named). */
  commands: string[];
  notes: string[];
}

interface BinlogFile {
  name: string;
  size: number;
}

interface ReplayStart {
  database: string;
  targetDatabase: string;
  table: string | null;
  snapshot: SnapshotRecord;
}

/** What the source's binary log holds now (or the files in binlogDir). */
interface SourceLog {
  files: BinlogFile[];
  end: BinlogPoint | null;
  currentGtid: string | null;
  identity: string | null;
  namesHost: boolean;
}

/**
 * Works out the readers' starting points, the binlog files, the stop, whether to write the target's
 * binary log, and where an earlier replay stopped; refuses what cannot work. `tlsFiles`: where the
 * PEM of the TLS settings are written (pitr() writes them); without, placeholders are named.
 */
export async function planPitr(options: PitrOptions, warn: (code: string, message: string) => void = () => undefined, tlsFiles?: { source: TlsFilePaths; target: TlsFilePaths }): Promise<PitrPlan> {
  const stopPoint = parseStopPoint(options.until);
  const { manifest, dir } = await readManifest(options.from, options.storage);
  // Only the manifest is read (plain in an encrypted dump): a key is not needed, but one given must be the dump's.
  if (options.decryption) await keyForManifest(manifest, options.decryption, dir);
  const selection = selectFromManifest({ manifest, rename: options.rename, databases: options.databases, tables: [], objects: true });
  const targetAddress = withTls(parseServerUri(options.target), options.targetTls);
  const sourceAddress = options.source && !options.binlogDir ? withTls(parseServerUri(options.source), options.sourceTls) : null;
  const reader = options.binlogTool ?? findTool(['mariadb-binlog', 'mysqlbinlog']);
  const client = options.clientTool ?? findTool(['mariadb', 'mysql']);
  const notes: string[] = [];
  const starts = replayStarts(manifest, selection, notes);
  const targetDatabases = [...new Set(starts.map((s) => s.targetDatabase))];
  const key = replayKey(targetDatabases);
  const dump = `${manifest.source.host}:${manifest.source.port} ${manifest.startedAt}`;

  const target = await inspectTarget(targetAddress, key, targetDatabases);
  const log = sourceAddress ? await readSourceLog(sourceAddress, warn) : await localLog(options.binlogDir!, starts[0]!.snapshot.binlog!.file);
  if (sourceAddress && (manifest.source.host !== sourceAddress.host || manifest.source.port !== sourceAddress.port)) {
    warn('SOURCE_DIFFERS', `the dump was taken from ${manifest.source.host}:${manifest.source.port}, the binlog is read from ${sourceAddress.host}:${sourceAddress.port}: make sure it is the same server`);
  }
  checkStartsInLog(starts, log, options.binlogDir);
  const sameServer = log.identity !== null ? log.identity === target.identity : options.binlogDir !== undefined && target.binlogDir === (await realpath(options.binlogDir).catch(() => options.binlogDir));
  const binlog = binlogDecision(options, sameServer);
  const stop = stopOf(stopPoint, starts, log, options.binlogDir, warn);

  const remote = sourceAddress !== null;
  const names = (from: number, to: number) => log.files.slice(from, to + 1).map((f) => (remote ? f.name : path.join(options.binlogDir!, f.name)));
  const indexOf = (name: string) => log.files.findIndex((f) => f.name === name);
  const tls = tlsArguments({ sourceAddress, targetAddress, reader, client, tlsFiles, sourceNamesHost: log.namesHost, targetNamesHost: target.namesHost });
  let resumeFrom: TimelinePoint | null = null;
  try {
    resumeFrom = resumePoint(options, target.progress, target.databasesExist, dump, stop, log);
  } catch (error) {
    // A dry run says what a run would refuse, and still shows the plan.
    if (!options.dryRun || !(error instanceof ParadumpError) || error.code !== 'ALREADY_REPLAYED') throw error;
    notes.push(`not without --resume: ${error.message}`);
  }
  const shownReaders: string[][] = [];
  const runs = starts
    .map((s) => ({ s, start: resumeFrom && compareBinlogPoints(resumeFrom, s.snapshot.binlog!) > 0 ? { file: resumeFrom.file, position: resumeFrom.position } : s.snapshot.binlog! }))
    .sort((a, b) => compareBinlogPoints(a.start, b.start))
    .map(({ s, start }): PitrRun => {
      const argsWith = (tlsArgs: string[]) => [
        '--no-defaults',
        ...(remote ? ['--read-from-remote-server', ...connArgs(sourceAddress), ...tlsArgs] : []),
        `--start-position=${start.position}`,
        ...stop.args,
        `--database=${s.database}`,
        ...(s.table !== null ? [`--table=${s.table}`] : []),
        ...(s.targetDatabase !== s.database ? [`--rewrite-db=${s.database}->${s.targetDatabase}`] : []),
        ...(binlog.write ? [] : ['--disable-log-bin']),
        ...names(indexOf(start.file), stop.lastIndex),
      ];
      shownReaders.push(argsWith(tls.reader.shown));
      return { database: s.database, targetDatabase: s.targetDatabase, table: s.table, start, files: names(indexOf(start.file), stop.lastIndex), readerArgs: argsWith(tls.reader.argv) };
    });
  const clientArgsWith = (tlsArgs: string[]) => ['--no-defaults', ...connArgs(targetAddress), ...tlsArgs, '--binary-mode', '--max-allowed-packet=1073741824'];

  notes.push(binlog.reason);
  if (runs.length > 1) notes.push(`the ${runs.length} readers' outputs are merged by paradump into one timeline in commit order: a transaction that touched several databases is applied whole, in one transaction`);
  if (Object.keys(options.rename).length > 0) notes.push('--rewrite-db renames the database of row events and of statements\' default database; database names written inside statements or view bodies are not rewritten');
  notes.push(`each replayed transaction records where it ends in the target's paradump_recovery.pitr_progress, in the same transaction: a replay that stops is continued with --resume`);
  if (resumeFrom) notes.push(`continuing the earlier replay from ${resumeFrom.file}:${resumeFrom.position}${resumeFrom.gtid ? ` (GTID ${resumeFrom.gtid})` : ''}`);
  if (tls.note) notes.push(tls.note);
  const pwd = (a: ServerAddress | null, variable: string) => (a && a.password ? `MYSQL_PWD="$${variable}" ` : '');
  const commands = [
    ...shownReaders.map((args) => `${pwd(sourceAddress, 'PARADUMP_PASSWORD')}TZ=UTC ${shellQuote(reader)} ${args.map(shellArg).join(' ')}`),
    `${pwd(targetAddress, 'PARADUMP_TARGET_PASSWORD')}${shellQuote(client)} ${clientArgsWith(tls.client.shown).map(shellArg).join(' ')}`,
  ];
  return {
    source: sourceAddress ? redactUri(sourceAddress) : null,
    target: redactUri(targetAddress),
    reader,
    client,
    stop: { kind: stopPoint.kind, description: stop.description, args: stop.args, at: stop.at },
    runs,
    clientArgs: clientArgsWith(tls.client.argv),
    binlog,
    replayKey: key,
    dump,
    targetDatabases,
    resumeFrom,
    commands,
    notes,
  };
}

/** Where replay starts: the snapshot the rows were read in, per database, or per table when a database's tables were read in different snapshots. */
function replayStarts(manifest: Manifest, selection: ReturnType<typeof selectFromManifest>, notes: string[]): ReplayStart[] {
  const snapshots = new Map(manifest.consistency.snapshots.map((s) => [s.id, s]));
  const starts: ReplayStart[] = [];
  const snapshotOf = (id: number, what: string) => {
    const s = snapshots.get(id);
    if (!s || !s.binlog) throw noCoordinates(manifest, what);
    return s;
  };
  for (const db of selection.databases) {
    const tables = selection.tables.filter((t) => t.record.database === db.record.name);
    const idsOf = (chunks: readonly { snapshot: number }[]) => [...new Set(chunks.map((c) => c.snapshot))];
    const dbIds = idsOf(tables.flatMap((t) => t.record.chunks));
    const base = { database: db.record.name, targetDatabase: db.targetDatabase };
    if (dbIds.length === 1) {
      starts.push({ ...base, table: null, snapshot: snapshotOf(dbIds[0]!, `database ${db.record.name}`) });
    } else if (dbIds.length === 0) {
      const s = manifest.consistency.snapshots.find((x) => x.scope === 'instance' || (x.scope === 'database' && x.target === db.record.name));
      if (!s?.binlog) notes.push(`database ${db.record.name} has no tables in the dump: nothing to replay for it`);
      else starts.push({ ...base, table: null, snapshot: s });
    } else {
      for (const t of tables) {
        const ids = idsOf(t.record.chunks);
        if (ids.length !== 1) {
          throw new ParadumpError('SEVERAL_SNAPSHOTS', `${t.record.database}.${t.record.table} was read in ${ids.length} snapshots (the dump was resumed); point-in-time recovery needs one starting point per table: take a new dump`, {
            details: { reason: 'SEVERAL_SNAPSHOTS', table: `${t.record.database}.${t.record.table}` },
          });
        }
        starts.push({ ...base, table: t.record.table, snapshot: snapshotOf(ids[0]!, `${t.record.database}.${t.record.table}`) });
      }
    }
  }
  if (starts.length === 0) throw new ParadumpError('BAD_OPTION', 'nothing to replay: the selected databases have no tables in the dump');
  return starts;
}

/** The target's identity, whether its certificate names the host, and its progress row for these databases. */
async function inspectTarget(address: ServerAddress, key: string, targetDatabases: string[]): Promise<{ identity: string; namesHost: boolean; binlogDir: string | null; progress: PitrProgress | null; databasesExist: boolean }> {
  const session = await Session.open(address, { label: `connecting to the target ${redactUri(address)}` });
  try {
    const [id] = await session.query<{ identity: string }>(session.sql.serverIdentity);
    const [bin] = await session.query<{ base: string | null }>('SELECT @@GLOBAL.log_bin_basename AS base').catch(() => [{ base: null }]);
    const existing = await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${targetDatabases.map(() => '?').join(', ')})`, targetDatabases);
    return {
      identity: id?.identity ?? '',
      namesHost: namesHost(session, address),
      binlogDir: bin?.base ? path.dirname(bin.base) : null,
      progress: await readProgress(session, key),
      databasesExist: Number(existing[0]?.n ?? 0) === targetDatabases.length,
    };
  } finally {
    await session.close();
  }
}

async function readSourceLog(address: ServerAddress, warn: (code: string, message: string) => void): Promise<SourceLog> {
  const session = await Session.open(address, { label: `connecting to the source ${redactUri(address)}` });
  try {
    let files: BinlogFile[];
    try {
      files = (await session.query<{ Log_name: string; File_size: string | number }>('SHOW BINARY LOGS')).map((r) => ({ name: r.Log_name, size: Number(r.File_size) }));
    } catch (error) {
      throw fromDriverError(error, 'listing the source binary logs (SHOW BINARY LOGS; needs BINLOG MONITOR or REPLICATION CLIENT)');
    }
    const [status] = await session.query<Record<string, unknown>>(session.sql.binlogStatus);
    const end = status && typeof status['File'] === 'string' ? { file: status['File'], position: Number(status['Position']) } : null;
    const currentGtid = session.sql.gtidPosition ? ((await session.query<{ gtid: string | null }>(session.sql.gtidPosition))[0]?.gtid ?? null) : null;
    const [fmt] = await session.query<{ f: string }>('SELECT @@GLOBAL.binlog_format AS f');
    if (fmt && fmt.f !== 'ROW') warn('BINLOG_FORMAT', `the source logs in ${fmt.f} format: statements are filtered by their default database and --rewrite-db does not change database names written inside them`);
    const [id] = await session.query<{ identity: string }>(session.sql.serverIdentity);
    return { files, end, currentGtid, identity: id?.identity ?? null, namesHost: namesHost(session, address) };
  } finally {
    await session.close();
  }
}

async function localLog(dir: string, startFile: string): Promise<SourceLog> {
  const base = startFile.replace(/\.\d+$/, '');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ParadumpError('BAD_OPTION', `binlogDir: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)$`);
  const matching = names.filter((n) => re.test(n)).sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
  const files = await Promise.all(matching.map(async (name) => ({ name, size: (await stat(path.join(dir, name))).size })));
  return { files, end: null, currentGtid: null, identity: null, namesHost: false };
}

function checkStartsInLog(starts: ReplayStart[], log: SourceLog, binlogDir: string | undefined): void {
  const { files } = log;
  if (files.length === 0) throw new ParadumpError('NO_BINLOG', 'the source has no binary log (log_bin is off): point-in-time recovery is impossible', { details: { reason: 'NO_BINLOG' } });
  for (const s of starts) {
    const b = s.snapshot.binlog!;
    const file = files.find((f) => f.name === b.file);
    if (!file) {
      throw new ParadumpError('BINLOG_PURGED',
        `binlog ${b.file}, where the dump's snapshot is (position ${b.position}), is no longer ${binlogDir ? `in ${binlogDir}` : 'on the source'} (oldest there: ${files[0]!.name}); the events since the dump were purged, so point-in-time recovery from this dump is impossible`,
        { details: { reason: 'BINLOG_PURGED', file: b.file, oldest: files[0]!.name } },
      );
    }
    if (b.position > file.size && !binlogDir) {
      throw new ParadumpError('BAD_OPTION', `binlog ${b.file} is shorter (${file.size} bytes) than the dump's position ${b.position}: is this the server the dump was taken from?`, { details: { reason: 'BINLOG_MISMATCH' } });
    }
  }
}

/**
 * The target's binary log: the replay must never read what it wrote, so into the source itself it
 * is off by default; elsewhere on, so the target's replicas see the recovered data.
 */
function binlogDecision(options: PitrOptions, sameServer: boolean): PitrPlan['binlog'] {
  const asked = options.noBinlog ? 'off' : options.binlog;
  if (asked === 'off') return { write: false, sameServer, freshGtids: false, reason: 'the replayed transactions are not written to the target\'s binary log (--binlog off)' };
  if (asked === 'on' && sameServer) {
    return { write: true, sameServer, freshGtids: true, reason: 'the target is the source itself and --binlog on: the replayed transactions are logged with GTIDs of the server\'s own (not the source\'s again), after the stop point, so no replay reads them' };
  }
  if (sameServer) return { write: false, sameServer, freshGtids: false, reason: 'the target is the source itself: the replayed transactions are not written to its binary log (the default there; --binlog on to log them)' };
  return { write: true, sameServer, freshGtids: false, reason: 'the replayed transactions are written to the target\'s binary log with the source\'s GTIDs, so its replicas see them (--binlog off to leave them out)' };
}

interface Stop {
  args: string[];
  description: string;
  /** Index of the last binlog file to read. */
  lastIndex: number;
  /** The point it ends at, when known as a position. */
  at: BinlogPoint | null;
}

/** The stop: always bounded by the end of the log when the replay starts, so it never reads its own writes. */
function stopOf(stopPoint: StopPoint, starts: ReplayStart[], log: SourceLog, binlogDir: string | undefined, warn: (code: string, message: string) => void): Stop {
  const { files, end } = log;
  const indexOf = (name: string) => files.findIndex((f) => f.name === name);
  const endIndex = end ? indexOf(end.file) : files.length - 1;
  const endArgs = end ? [`--stop-position=${end.position}`] : [];
  const where = binlogDir ? `in ${binlogDir}` : 'on the source';
  const before = (what: string, snapshot: string) => new ParadumpError('BAD_OPTION', `until: ${what} is before the dump's snapshot (${snapshot}); a dump cannot be rolled back`);
  switch (stopPoint.kind) {
    case 'end':
      return {
        args: endArgs,
        description: end ? `the end of the binary log when the replay started (${end.file}:${end.position})` : `the end of the last binlog file in ${binlogDir}`,
        lastIndex: endIndex,
        at: end,
      };
    case 'position': {
      const lastIndex = indexOf(stopPoint.file);
      if (lastIndex < 0) throw new ParadumpError('BAD_OPTION', `until: binlog ${stopPoint.file} does not exist ${where} (there: ${files[0]!.name} to ${files.at(-1)!.name})`);
      for (const s of starts) if (compareBinlogPoints(stopPoint, s.snapshot.binlog!) < 0) throw before(`${stopPoint.file}:${stopPoint.position}`, `${s.snapshot.binlog!.file}:${s.snapshot.binlog!.position}`);
      if (stopPoint.position > files[lastIndex]!.size && !binlogDir) throw new ParadumpError('BAD_OPTION', `until: ${stopPoint.file} has only ${files[lastIndex]!.size} bytes; position ${stopPoint.position} has not been written yet`);
      return { args: [`--stop-position=${stopPoint.position}`], description: `binlog position ${stopPoint.file}:${stopPoint.position} (events starting before it)`, lastIndex, at: { file: stopPoint.file, position: stopPoint.position } };
    }
    case 'datetime': {
      for (const s of starts) {
        const opened = Math.floor(new Date(s.snapshot.openedAt).getTime() / 1000) * 1000;
        if (stopPoint.at.getTime() < opened) throw before(stopPoint.at.toISOString(), s.snapshot.openedAt);
      }
      if (stopPoint.at.getTime() > Date.now()) warn('STOP_IN_FUTURE', `until: ${stopPoint.at.toISOString()} is in the future: everything logged so far is replayed`);
      const text = stopPoint.at.toISOString().replace('T', ' ').slice(0, 19);
      // The replay writes events with the source's timestamps: the end bound keeps it from reading them.
      return { args: [`--stop-datetime=${text}`, ...endArgs], description: `${text} UTC (transactions logged before it)`, lastIndex: endIndex, at: null };
    }
    case 'gtid': {
      const stop = parseGtidList(stopPoint.gtid);
      for (const s of starts) {
        const at = s.snapshot.gtid ? parseGtidList(s.snapshot.gtid) : new Map<number, { server: number; seq: bigint }>();
        for (const [domain, g] of stop) {
          const from = at.get(domain);
          if (from && g.seq < from.seq) throw before(`GTID ${domain}-${g.server}-${g.seq}`, s.snapshot.gtid ?? '');
        }
      }
      if (log.currentGtid !== null) {
        const now = parseGtidList(log.currentGtid);
        for (const [domain, g] of stop) {
          const cur = now.get(domain);
          if (!cur || g.seq > cur.seq) throw new ParadumpError('BAD_OPTION', `until: GTID ${domain}-${g.server}-${g.seq} has not been logged by the source yet (it is at ${log.currentGtid})`);
        }
      }
      return { args: [`--stop-position=${stopPoint.gtid}`], description: `GTID ${stopPoint.gtid} (inclusive)`, lastIndex: endIndex, at: null };
    }
  }
}

/**
 * Where to start from when the target already records a replay into these databases: refused
 * without --resume (the rows are there already), continued with it.
 */
function resumePoint(options: PitrOptions, progress: PitrProgress | null, databasesExist: boolean, dump: string, stop: Stop, log: SourceLog): TimelinePoint | null {
  const recorded = progress && databasesExist ? progress : null;
  const where = (p: PitrProgress) => `${p.file}:${p.position}${p.gtid ? ` (GTID ${p.gtid})` : ''}`;
  if (!options.resume) {
    if (recorded && recorded.transactions > 0) {
      throw new ParadumpError('ALREADY_REPLAYED', `${recorded.targetDatabases.join(', ')} ${recorded.targetDatabases.length === 1 ? 'was' : 'were'} already rolled forward to ${where(recorded)} (${recorded.state}, ${recorded.updatedAt} UTC); replaying again would apply those transactions twice: continue with --resume, or restore the dump again to start over`, {
        details: { reason: 'ALREADY_REPLAYED', file: recorded.file, position: recorded.position, gtid: recorded.gtid, state: recorded.state },
      });
    }
    return null;
  }
  if (!recorded) throw new ParadumpError('NOT_RESUMABLE', 'nothing to resume: the target records no earlier replay into these databases (run pitr without --resume)', { details: { reason: 'NO_EARLIER_REPLAY' } });
  if (recorded.dump !== dump) throw new ParadumpError('NOT_RESUMABLE', `the earlier replay into these databases was of another dump (${recorded.dump}); restore this dump again to roll it forward`, { details: { reason: 'OTHER_DUMP' } });
  const point = { file: recorded.file, position: recorded.position, gtid: recorded.gtid };
  if (stop.at && compareBinlogPoints(point, stop.at) >= 0) {
    throw new ParadumpError('NOT_RESUMABLE', `nothing to resume: the target is already rolled forward to ${where(recorded)}, at or past the stop point`, { details: { reason: 'ALREADY_THERE' } });
  }
  if (!log.files.some((f) => f.name === point.file)) {
    throw new ParadumpError('BINLOG_PURGED', `binlog ${point.file}, where the earlier replay stopped, is no longer on the source`, { details: { reason: 'BINLOG_PURGED', file: point.file } });
  }
  return point;
}

function connArgs(a: ServerAddress): string[] {
  return (a.socketPath ? [`--socket=${a.socketPath}`] : ['--protocol=TCP', `--host=${a.host}`, `--port=${a.port}`]).concat([`--user=${a.user}`]);
}

/** TLS options of each program: with the files written for the run (argv), and as printed (paths from environment variables). */
function tlsArguments(p: { sourceAddress: ServerAddress | null; targetAddress: ServerAddress; reader: string; client: string; tlsFiles: { source: TlsFilePaths; target: TlsFilePaths } | undefined; sourceNamesHost: boolean; targetNamesHost: boolean }) {
  const of = (side: 'source' | 'target', a: ServerAddress, tool: string, certificateNamesHost: boolean) => {
    if (a.tls.mode === 'off') return { argv: [] as string[], shown: [] as string[] };
    const kind = toolKind(tool);
    const shownFiles = placeholderFiles(side);
    const label = `${side === 'source' ? 'the binlog reader' : 'the SQL client'} (${tool}) connecting to the ${side} ${redactUri(a)}`;
    return {
      argv: clientTlsArgs({ tls: a.tls, kind, certificateNamesHost, label, files: p.tlsFiles?.[side] ?? shownFiles }),
      shown: clientTlsArgs({ tls: a.tls, kind, certificateNamesHost, label, files: shownFiles }),
    };
  };
  const reader = p.sourceAddress ? of('source', p.sourceAddress, p.reader, p.sourceNamesHost) : { argv: [], shown: [] };
  const client = of('target', p.targetAddress, p.client, p.targetNamesHost);
  const sourceTls = p.sourceAddress && p.sourceAddress.tls.mode !== 'off';
  const targetTls = p.targetAddress.tls.mode !== 'off';
  let note: string | null = null;
  if (sourceTls || targetTls) {
    const withFiles = [...reader.shown, ...client.shown].some((a) => PLACEHOLDER_ARG.test(a));
    note =
      `TLS: the binlog reader and the SQL client get ${[sourceTls ? `the source's (${p.sourceAddress!.tls.mode})` : null, targetTls ? `the target's (${p.targetAddress.tls.mode})` : null].filter(Boolean).join(' and ')} TLS settings` +
      (withFiles ? '; their PEM is written to files in a private temporary directory for the run and removed after it (running the commands by hand, set the PARADUMP_*_SSL_* variables to PEM files)' : '');
  }
  return { reader, client, note };
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

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
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

function findTool(names: string[]): string {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return name;
  }
  throw new ParadumpError('TOOL_MISSING', `${names.join(' or ')} not found: install the MariaDB client (apt-get install mariadb-client) or name the program`, { details: { reason: 'TOOL_MISSING' } });
}

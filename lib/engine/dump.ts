import { Session } from '../mysql/session.ts';
import { qualified, quoteId } from '../core/sql-names.ts';
import { type RawValue } from '../core/row-batch.ts';
import { parseServerUri, redactUri, withTls, type ServerAddress } from '../mysql/uri.ts';
import { acquireLock, type HeldLock } from './acquire-lock.ts';
import { checkDumpPrivileges, findMissingPrivileges } from '../mysql/check-privileges.ts';
import { isIntegerType, type ColumnInfo } from '../core/column-kind.ts';
import { chooseChunkKey, discover, discoverDatabase, type TableInfo } from '../mysql/discover.ts';
import { readDumpState, STATE_FILE, writeDumpState, type DumpState, type TablePlanState } from '../core/dump-state.ts';
import { driverErrno, ER, fromDriverError } from '../mysql/driver-error.ts';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import type { DumpEvent, DumpEventListener } from './events.ts';
import { dumpPaths } from '../core/file-names.ts';
import { Journal, readJournal, type JournalEntry } from './journal.ts';
import { ChunkGroupFiles, groupSmallChunks, SMALL_TABLE_BYTES } from './chunk-group.ts';
import { LockLedger } from './lock-ledger.ts';
import { Manifest, MANIFEST_FILE, manifestVersionFor, type ChunkRecord, type DatabaseRecord, type KeyColumnRecord, type KeyValue, type LockRecord, type SnapshotRecord, type TableRecord } from '../core/manifest.ts';
import { readCoordinates } from './read-coordinates.ts';
import { openReader } from '../mysql/open-reader.ts';
import { DumpOptions, type DumpOptionsInput } from './options.ts';
import { parseOptions } from '../core/parse-options.ts';
import { checkThreadsRunningLimit, DumpRequest, dumpsUsers, RecordedDumpOptions } from '../core/dump-options.ts';
import type { AccountsSummary } from '../core/accounts.ts';
import { dumpAccounts } from './dump-accounts.ts';
import { readDumpRequest, REQUEST_FILE, resumedRequest, writeDumpRequest } from '../core/dump-request-file.ts';
import { planChunks, type KeyProbe } from './plan-chunks.ts';
import { keyValueFromRaw, orderBy, rangeCondition } from '../core/range-sql.ts';
import { runPool } from '../core/run-pool.ts';
import { writeChunk } from './write-chunk.ts';
import { openLocklessSnapshots } from './open-lockless.ts';
import { startThrottle, type Throttle } from '../throttle/start-throttle.ts';
import { type ChunkSpec } from '../core/chunk-spec.ts';
import { Folders } from '../storage/local-file-writer.ts';
import type { StorageTarget } from '../storage/target.ts';
import { BEFORE_PLAN, clearBeforePlan, dropUnkept, fileMatches, finishOutput, openForResume, openOutput, prepareOutput, type DumpOutput } from './dump-output.ts';
import { writeDatabaseSchema, writeTableSchema } from './write-schema.ts';
import { resolveDumpKey, type DumpKey } from '../core/dump-key.ts';
import { SEGMENT_BYTES } from '../core/encrypted-file.ts';
import { sealingTarget } from '../storage/sealing-target.ts';
import { planTables, writeTableSchemas } from './plan-tables.ts';

export const TOOL_VERSION = '0.1.0';

export interface DumpControls {
  /** Receives every event, synchronously, in order. */
  onEvent?: DumpEventListener;
  /** Aborting stops the workers, keeps finished chunks and their journal (resumable), rejects with ABORTED. */
  signal?: AbortSignal;
  /** Test hooks: pause points for race tests. */
  hooks?: { afterDiscovery?: () => Promise<void>; afterPlanning?: () => Promise<void> };
}

/** A table as the workers see it: what to read and what has been written. */
interface TablePlan extends TablePlanState {
  done: ChunkRecord[];
}

interface ChunkTask {
  plan: TablePlan;
  chunk: TablePlan['chunks'][number];
}

/** Tables locked and read together: the whole instance, one database, or one table. */
interface LockSet {
  scope: SnapshotRecord['scope'];
  target: string | null;
  plans: TablePlan[];
}

type Warn = (w: Manifest['warnings'][number]) => void;

/**
 * Dumps databases in parallel, chunked by key range, under the chosen lock strategy, and writes
 * `manifest.json` last. With `resume`, continues an interrupted dump in `outDir`. Resolves with the
 * manifest; rejects with a ParadumpError (the directory then has no manifest and can be resumed).
 */
export async function dump(input: DumpOptionsInput, controls: DumpControls = {}): Promise<Manifest> {
  const requested = parseOptions(DumpOptions, input);
  // Refused before the directory is touched; a resume's threads are known only once its request is read.
  if (!requested.resume) checkThreadsRunningLimit(requested);
  const address = withTls(parseServerUri(requested.source), requested.tls);
  const emit: DumpEventListener = (event) => controls.onEvent?.(event);
  const signal = controls.signal;
  const startedTick = performance.now();
  const out = openOutput(requested);
  const { target, workDir } = out;
  const sessions: Session[] = [];
  let journal: Journal | null = null;
  const heldLocks: HeldLock[] = [];
  let throttle: Throttle | null = null;

  try {
    // What was asked is on disk before anything connects: a resume dumps exactly that.
    const key = await resolveDumpKey(requested.encryption);
    const resumed = requested.resume ? await loadForResume(out, givenOptions(input), key) : null;
    if (!resumed) {
      await prepareOutput(out);
      const encryption = key ? { algorithm: 'aes-256-gcm' as const, keyId: key.id } : null;
      await writeDumpRequest(workDir, { requestedAt: new Date().toISOString(), source: { host: address.host, port: address.port }, options: DumpRequest.parse(requested), encryption });
    }
    // Schema and object files are sealed as they are put; data files in writeChunk's pipeline.
    const files = key ? sealingTarget(target, key) : target;
    const previous = resumed?.previous ?? null;
    const given: DumpOptions = resumed ? { ...requested, ...resumed.request } : requested;
    checkThreadsRunningLimit(given);
    const started = previous ? new Date(previous.state.startedAt) : resumed ? new Date(resumed.requestedAt) : new Date();

    const control = await Session.open(address, { label: `connecting to ${redactUri(address)}` });
    sessions.push(control);
    emit({ type: 'run-started', at: new Date().toISOString(), source: redactUri(address), flavor: control.flavor.kind, version: control.flavor.versionString });
    await control.exec("SET SESSION sql_mode = '', sql_quote_show_create = 1, time_zone = '+00:00'");
    const options = await resolveLockMode(control, given);

    const warnings: Manifest['warnings'] = previous ? [...previous.state.warnings] : [];
    const warn: Warn = (w) => {
      warnings.push(w);
      emit({ type: 'warning', ...w });
    };
    if (given.lock === 'auto' && options.lock === 'lockless') warn({ code: 'LOCKLESS_FALLBACK', message: 'the account cannot take the snapshot lock (RELOAD): the snapshots open without it and the binlog position proves whether they are one point in time' });
    const asked = resumed?.source;
    if (asked && (asked.host !== address.host || asked.port !== address.port)) {
      // Another name may be the same server (an IP for a host name): said, not refused.
      warn({ code: 'SOURCE_DIFFERS', message: `the interrupted dump read from ${asked.host}:${asked.port}; this resume reads from ${address.host}:${address.port}: if that is another server, the dump mixes two servers' rows` });
    }
    // Accounts first: an account that may not read them is refused before any schema is written.
    const accounts = dumpsUsers(options) ? await dumpAccounts({ control, target, key, includeUsers: options.includeUsers, excludeUsers: options.excludeUsers, warn }) : null;
    if (accounts) emit({ type: 'accounts-dumped', users: accounts.list.filter((a) => !a.isRole).length, roles: accounts.list.filter((a) => a.isRole).length, excluded: accounts.excluded.length });

    // Workers open before planning (they plan tables in parallel), but take no lock until later.
    const workers = await Promise.all(Array.from({ length: options.threads }, () => openReader(address, 'opening a worker connection')));
    sessions.push(...workers);
    journal = await Journal.open(workDir);
    const openJournal = journal;
    const { databaseRecords, plans } = await planOrResume({ previous, control, workers, options, target: files, workDir, address, started, warnings, emit, warn, signal, hooks: controls.hooks, journal: openJournal });
    await controls.hooks?.afterPlanning?.();
    signal?.throwIfAborted();

    const guard = await Session.open(address, { label: 'opening the lock-guard connection' });
    sessions.push(guard);
    const ownIds = new Set(sessions.map((s) => s.threadId));

    const ledger = new LockLedger((event) => {
      emit(event);
      if (event.type === 'lock-released') openJournal.append({ type: 'lock', lock: event.lock }).catch(() => undefined);
    });
    const lockOptions = { guard, ownIds, ledger, timeoutSeconds: options.lockWaitTimeout, killLongQueriesAfter: options.killLongQueries, onKilled: (b: { id: number; info: string | null; time: number }) => warn({ code: 'QUERY_KILLED', message: `killed #${b.id} (running ${b.time}s) to take the lock: ${(b.info ?? '').slice(0, 200)}` }) };

    const ddlHeld = await blockDdlForTheDump({ control, address, options, sessions, ownIds, heldLocks, lockOptions, warn });

    throttle = await startThrottle({ ...options, openSession: () => openSession(sessions, address, 'opening the throttle connection'), onEvent: emit });
    const snapshots = await dumpLockSets({ control, workers, plans, options, target: files, key, workDir, previousSnapshots: previous?.snapshots ?? [], ddlHeld, lockOptions, journal: openJournal, emit, warn, signal, throttle });
    for (const held of heldLocks.splice(0)) await held.release();

    const manifest = buildManifest({
      options,
      address,
      control,
      started,
      snapshots,
      locks: [...(previous?.locks ?? []), ...ledger.records],
      resumedAt: previous ? [...previous.resumedAt, new Date().toISOString()] : [],
      databaseRecords,
      plans,
      warnings,
      accounts,
      key,
    });
    // Last: a backup without its manifest is an unfinished one.
    await target.put(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
    await finishOutput(out);
    emit({
      type: 'run-finished',
      at: manifest.finishedAt,
      rows: manifest.totals.rows,
      bytes: manifest.totals.bytes,
      chunks: manifest.totals.chunks,
      tables: manifest.totals.tables,
      skippedTables: manifest.totals.skippedTables,
      durationMs: Math.round(performance.now() - startedTick),
    });
    return manifest;
  } catch (error) {
    const failure = toParadumpError(error, signal);
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    throttle?.close();
    for (const held of heldLocks) await held.release().catch(() => undefined);
    await journal?.close().catch(() => undefined);
    await Promise.all(sessions.map((s) => s.close().catch(() => s.destroy())));
  }
}

type LockOptions = Omit<Parameters<typeof acquireLock>[0], 'session' | 'scope' | 'target' | 'statements'>;

/** A new dump discovers and plans, then writes the plan (dump-state.json); a resumed one reads it back. */
async function planOrResume(args: {
  previous: PreviousRun | null;
  control: Session;
  workers: Session[];
  options: DumpOptions;
  target: StorageTarget;
  workDir: string;
  address: ServerAddress;
  started: Date;
  warnings: Manifest['warnings'];
  emit: DumpEventListener;
  warn: Warn;
  signal: AbortSignal | undefined;
  hooks: DumpControls['hooks'];
  journal: Journal;
}): Promise<{ databaseRecords: DatabaseRecord[]; plans: TablePlan[] }> {
  const { previous, options, emit } = args;
  if (previous) {
    await args.journal.append({ type: 'resume', at: new Date().toISOString() });
    for (const p of previous.plans) emitPlanned(p, emit);
    return { databaseRecords: previous.state.databases, plans: previous.plans };
  }
  const planned = await discoverAndPlan({ control: args.control, planners: args.workers, options, target: args.target, emit, warn: args.warn, signal: args.signal, hooks: args.hooks });
  await writeDumpState(args.workDir, {
    format: 'paradump-state',
    version: 1,
    startedAt: args.started.toISOString(),
    source: { host: args.address.host, port: args.address.port },
    options: DumpRequest.parse(options),
    databases: planned.databaseRecords,
    plans: planned.plans.map(({ done: _done, ...p }) => p),
    warnings: args.warnings,
  });
  return planned;
}

/** Blocks DDL for the whole dump where asked (or free): a table cannot change shape under us. */
async function blockDdlForTheDump(args: {
  control: Session;
  address: ServerAddress;
  options: DumpOptions;
  sessions: Session[];
  ownIds: Set<number>;
  heldLocks: HeldLock[];
  lockOptions: LockOptions;
  warn: Warn;
}): Promise<boolean> {
  const { control, options } = args;
  const blockDdl = options.blockDdl ?? control.sql.ddlBlockIsFree;
  if (!blockDdl || options.lock === 'none') return false;
  if (!control.sql.ddlBlock) {
    args.warn({ code: 'NO_DDL_LOCK', message: `${control.flavor.kind} ${control.flavor.versionString} has no backup lock that blocks DDL; tables changed during the dump are skipped and reported` });
    return false;
  }
  const ddlSession = await Session.open(args.address, { label: 'opening the DDL-lock connection' });
  args.sessions.push(ddlSession);
  args.ownIds.add(ddlSession.threadId);
  args.heldLocks.push(await acquireLock({ ...args.lockOptions, session: ddlSession, scope: 'instance', target: null, statements: control.sql.ddlBlock }));
  return true;
}

/**
 * Dumps the pending chunks of each lock set in a snapshot of its own (one for the instance, one
 * per database or table), under the set's lock. Resolves with every snapshot, earlier ones first.
 */
async function dumpLockSets(args: {
  control: Session;
  workers: Session[];
  plans: TablePlan[];
  options: DumpOptions;
  target: StorageTarget;
  key: DumpKey | null;
  workDir: string;
  previousSnapshots: SnapshotRecord[];
  ddlHeld: boolean;
  lockOptions: LockOptions;
  journal: Journal;
  emit: DumpEventListener;
  warn: Warn;
  signal: AbortSignal | undefined;
  throttle: Throttle;
}): Promise<SnapshotRecord[]> {
  const { control, workers, plans, options, target, workDir, previousSnapshots, ddlHeld, lockOptions, emit, warn, signal } = args;
  const openJournal = args.journal;
  const snapshots: SnapshotRecord[] = [...previousSnapshots];
  let nextSnapshot = previousSnapshots.reduce((m, s) => Math.max(m, s.id + 1), 0);
  // Under a lock the gate is not waited on: a pause there would hold the lock (and the server's
  // writers) for as long as the server stays busy. A per-table lock waits for the gate before it is taken.
  const ungated: Throttle = { ...args.throttle, gate: null };
  // Small one-chunk tables of a local dump go in groups (one round of fsyncs and one journal write
  // each); an object store's put is durable by itself.
  const folders = new Folders();
  const smallBytes = (t: ChunkTask) => (!target.remote && t.plan.chunks.length === 1 && t.plan.info.rowsEstimate < options.chunkRows && t.plan.info.bytesEstimate <= SMALL_TABLE_BYTES ? t.plan.info.bytesEstimate : null);
  const runTasks = (list: ChunkTask[], snapshotId: number, underLock = false) =>
    runPool({
      workers,
      tasks: groupSmallChunks(list, smallBytes),
      signal,
      run: (unit, worker, workerIndex) => {
        const run: ChunkRun = { target, key: args.key, options, journal: openJournal, snapshotId, emit, warn, signal, throttle: underLock ? ungated : args.throttle };
        return Array.isArray(unit) ? dumpChunkGroup({ ...run, tasks: unit, worker, workerIndex, folders }) : dumpChunk({ ...run, task: unit, worker, workerIndex });
      },
    });
  const pendingTasks = (set: LockSet) =>
    set.plans.filter((p) => !p.skipped).flatMap((plan) => plan.chunks.filter((c) => !plan.done.some((d) => d.index === c.index)).map((chunk) => ({ plan, chunk })));

  for (const set of lockSets(plans, options.lock)) {
    signal?.throwIfAborted();
    if (pendingTasks(set).length === 0) continue;
    const snapshotId = nextSnapshot++;
    const recordSnapshot = async (point: Pick<SnapshotRecord, 'binlog' | 'gtid' | 'verdict'>) => {
      const record: SnapshotRecord = { id: snapshotId, scope: set.scope, target: set.target, openedAt: new Date().toISOString(), ...point };
      snapshots.push(record);
      await openJournal.append({ type: 'snapshot', ...record });
      emit({ type: 'snapshot-opened', snapshot: record });
    };

    if (set.scope === 'table') {
      // per-table: the table is write-locked from before its first chunk until after its last.
      await args.throttle.gate?.wait(signal);
      const lock = await lockTables({ control, set, lockOptions, warn, emit, openJournal });
      if (!lock) continue;
      try {
        await recordSnapshot(await readCoordinates(control));
        if (await replanChangedTables({ control, planner: workers[0]!, target, plans: set.plans, chunkRows: options.chunkRows, warn, emit, signal, openJournal })) {
          await writeDumpState(workDir, { ...(await readDumpState(workDir))!, plans: plans.map(({ done: _done, ...p }) => p) });
        }
        await runTasks(pendingTasks(set), snapshotId, true);
      } finally {
        await lock.release();
      }
      continue;
    }

    if (options.lock === 'lockless') {
      const proof = await openLocklessSnapshots({ control, workers, signal });
      const unlocked = set.plans.filter((p) => !p.skipped && !p.info.transactional).map((p) => qualified(p.info.database, p.info.name));
      // Without a lock nothing holds a non-transactional table still while it is read.
      const { verdict, ...point } = unlocked.length && proof.verdict.consistent ? { ...proof, verdict: { ...proof.verdict, consistent: false, reason: `non-transactional tables were read without a lock (${unlocked.slice(0, 3).join(', ')}${unlocked.length > 3 ? ', …' : ''})` } } : proof;
      await recordSnapshot({ ...point, verdict });
      if (!verdict.consistent) warn({ code: 'NOT_CONSISTENT', message: `the dump is not one point in time: ${verdict.reason}` });
    }
    let lock: HeldLock | null = null;
    if (set.scope === 'instance' && options.lock !== 'lockless') {
      lock = await acquireLock({ ...lockOptions, session: control, scope: 'instance', target: null, statements: ddlHeld ? control.sql.commitBlockWithDdlBlock : control.sql.commitBlock });
    } else if (set.scope === 'database') {
      lock = await lockTables({ control, set, lockOptions, warn, emit, openJournal });
      if (!lock) continue;
    }
    try {
      // Lock held (or none, for --lock none): open every worker's snapshot at this one point.
      if (options.lock !== 'lockless') {
        await Promise.all(workers.map((w) => w.exec(w.sql.startSnapshot)));
        await recordSnapshot(set.scope === 'none' ? { binlog: null, gtid: null } : await readCoordinates(control));
      }
      // Non-transactional tables have no snapshot: read them while writes are still blocked.
      const nonTransactional = pendingTasks(set).filter((t) => !t.plan.info.transactional);
      if (nonTransactional.length > 0) await runTasks(nonTransactional, snapshotId, lock !== null);
    } finally {
      await lock?.release();
    }
    if (await replanChangedTables({ control, planner: workers[0]!, target, plans: set.plans, chunkRows: options.chunkRows, warn, emit, signal, openJournal })) {
      await writeDumpState(workDir, { ...(await readDumpState(workDir))!, plans: plans.map(({ done: _done, ...p }) => p) });
    }
    await runTasks(pendingTasks(set), snapshotId);
    await Promise.all(workers.map((w) => w.exec('COMMIT')));
  }
  return snapshots;
}

/** `auto` becomes `snapshot` when the account may take the commit block, else `lockless`; the privileges are checked for the mode chosen. */
async function resolveLockMode(control: Session, options: DumpOptions): Promise<DumpOptions> {
  if (options.lock !== 'auto') {
    await checkDumpPrivileges(control, options.lock);
    return options;
  }
  const missing = await findMissingPrivileges(control, 'snapshot');
  const lock = missing !== null && missing.some((m) => m.need === 'RELOAD') ? 'lockless' : 'snapshot';
  await checkDumpPrivileges(control, lock);
  return { ...options, lock };
}

async function openSession(sessions: Session[], address: Parameters<typeof Session.open>[0], label: string): Promise<Session> {
  const session = await Session.open(address, { label });
  sessions.push(session);
  return session;
}

/** The dump options the caller set (not left to their defaults): a resume checks them against the saved request. */
function givenOptions(input: DumpOptionsInput): Partial<Record<keyof DumpRequest, unknown>> {
  const given: Partial<Record<keyof DumpRequest, unknown>> = {};
  for (const key of Object.keys(DumpRequest.shape) as (keyof DumpRequest)[]) {
    if (input[key] !== undefined) given[key] = input[key];
  }
  return given;
}

function lockSets(plans: TablePlan[], mode: DumpOptions['lock']): LockSet[] {
  switch (mode) {
    case 'snapshot':
    case 'lockless':
    case 'auto':
      return [{ scope: 'instance', target: null, plans }];
    case 'none':
      return [{ scope: 'none', target: null, plans }];
    case 'per-db': {
      const byDb = new Map<string, TablePlan[]>();
      for (const p of plans) byDb.set(p.info.database, [...(byDb.get(p.info.database) ?? []), p]);
      return [...byDb].map(([db, list]) => ({ scope: 'database', target: db, plans: list }));
    }
    case 'per-table':
      return plans.map((p) => ({ scope: 'table', target: `${p.info.database}.${p.info.name}`, plans: [p] }));
  }
}

/**
 * LOCK TABLES … READ on the set's tables. A table dropped or renamed since discovery makes the
 * statement fail: it is marked skipped and the rest are locked. Null when none is left.
 */
async function lockTables(args: {
  control: Session;
  set: LockSet;
  lockOptions: Omit<Parameters<typeof acquireLock>[0], 'session' | 'scope' | 'target' | 'statements'>;
  warn: Warn;
  emit: (e: DumpEvent) => void;
  openJournal: Journal;
}): Promise<HeldLock | null> {
  const { control, set } = args;
  for (;;) {
    const live = set.plans.filter((p) => !p.skipped);
    if (live.length === 0) return null;
    try {
      return await acquireLock({
        ...args.lockOptions,
        session: control,
        scope: set.scope === 'table' ? 'table' : 'database',
        target: set.target,
        statements: control.sql.lockTablesRead(live.map((p) => qualified(p.info.database, p.info.name))),
      });
    } catch (error) {
      if (!isTableGone(error)) throw error;
      const existing = new Set(
        (
          await control.query<{ db: string; name: string }>(
            `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${[...new Set(live.map((p) => control.connection.escape(p.info.database)))].join(', ')})`,
          )
        ).map((r) => `${r.db}\u0000${r.name}`),
      );
      const gone = live.filter((p) => !existing.has(`${p.info.database}\u0000${p.info.name}`));
      if (gone.length === 0) throw error;
      for (const p of gone) await skipTable(p, error, { ...args, target: null });
    }
  }
}

/** What an interrupted dump left that a resume keeps: its plan, verified chunks, snapshots and locks. */
interface PreviousRun {
  state: DumpState;
  plans: TablePlan[];
  snapshots: SnapshotRecord[];
  locks: LockRecord[];
  resumedAt: string[];
}

/**
 * The saved request (with what `given` may change) and what the interrupted dump left (null: it was
 * killed before its plan was written, so it starts over, with the saved request). Refuses, before
 * changing anything in the directory, one with no request (that dump was killed before it started,
 * and nothing says what it was asked to dump) and `given` options that contradict the request.
 */
async function loadForResume(out: DumpOutput, given: Partial<Record<keyof DumpRequest, unknown>>, key: DumpKey | null): Promise<{ request: DumpRequest; requestedAt: string; source: { host: string; port: number } | null; previous: PreviousRun | null }> {
  const entries = await openForResume(out);
  const outDir = out.workDir;
  const saved = await readDumpRequest(outDir);
  const state = await readDumpState(outDir);
  const foreign = entries.filter((e) => !BEFORE_PLAN.has(e) && e !== STATE_FILE);
  if (!state && foreign.length > 0) throw new ParadumpError('BAD_OPTION', `${outDir} is not a paradump dump directory (found ${foreign.slice(0, 3).join(', ')}); refusing to resume into it`);
  // Dumps older than the request file kept the request in their plan only.
  const savedOptions = saved?.options ?? state?.options;
  const requestedAt = saved?.requestedAt ?? state?.startedAt;
  const source = saved?.source ?? state?.source ?? null;
  if (!savedOptions || !requestedAt) {
    throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume in ${outDir}: the dump was killed before it started (there is no ${REQUEST_FILE} saying what it was asked to dump); run the dump again, with --out and its options`, {
      details: { reason: 'NOT_STARTED', outDir },
    });
  }
  const request = resumedRequest(savedOptions, given);
  // Before anything is cleared or kept: a resume never mixes files of two keys, or plain and sealed ones.
  checkResumeKey(saved?.encryption ?? null, key, out.target.location);
  if (!state) {
    // Killed before its plan was written: only schema files exist. Start over, with what was asked.
    await clearBeforePlan(out, entries);
    return { request, requestedAt, source, previous: null };
  }
  const journal = await readJournal(outDir);
  const plans: TablePlan[] = state.plans.map((p) => ({ ...p, done: [] }));
  const byTable = new Map(plans.map((p) => [`${p.info.database}\u0000${p.info.name}`, p]));
  const keep = new Set<string>();
  for (const e of journal) {
    if (e.type === 'skip') {
      const p = byTable.get(`${e.database}\u0000${e.table}`);
      if (p) {
        p.skipped = { code: e.code, reason: e.reason };
        p.done = [];
      }
    }
  }
  for (const e of journal) {
    if (e.type !== 'chunk') continue;
    const p = byTable.get(`${e.database}\u0000${e.table}`);
    if (!p || p.skipped || p.done.some((d) => d.index === e.index)) continue;
    // A journaled chunk is kept only if its file is exactly what was journaled.
    if (await fileMatches(out.target, e.file, e.bytes, e.sha256)) {
      const { type: _t, database: _d, table: _tb, ...record } = e;
      p.done.push(record);
      keep.add(e.file);
    }
  }
  // Anything else under data/ is a partial or unverified file from the interrupted run.
  await dropUnkept(out, keep);
  const previous: PreviousRun = {
    state,
    plans,
    snapshots: journal.flatMap((e) => (e.type === 'snapshot' ? [{ id: e.id, scope: e.scope, target: e.target, openedAt: e.openedAt, binlog: e.binlog, gtid: e.gtid }] : [])),
    locks: journal.flatMap((e) => (e.type === 'lock' ? [e.lock] : [])),
    resumedAt: journal.flatMap((e) => (e.type === 'resume' ? [e.at] : [])),
  };
  return { request, requestedAt, source, previous };
}

function checkResumeKey(saved: { keyId: string } | null, key: DumpKey | null, location: string): void {
  if (saved && !key) throw new ParadumpError('KEY_REQUIRED', `the interrupted dump in ${location} is encrypted (key ${saved.keyId}): resume it with the same key (--encrypt-key-file)`, { details: { keyId: saved.keyId } });
  if (!saved && key) throw new ParadumpError('KEY_MISMATCH', `the interrupted dump in ${location} is not encrypted: resume it without a key (or run a new encrypted dump)`, { details: { expected: null, given: key.id } });
  if (saved && key && saved.keyId !== key.id) throw new ParadumpError('KEY_MISMATCH', `the interrupted dump in ${location} is encrypted with key ${saved.keyId}, not with the given key ${key.id}`, { details: { expected: saved.keyId, given: key.id } });
}

async function discoverAndPlan(args: {
  control: Session;
  planners: readonly Session[];
  options: DumpOptions;
  target: StorageTarget;
  emit: (e: DumpEvent) => void;
  warn: Warn;
  signal: AbortSignal | undefined;
  hooks: DumpControls['hooks'];
}): Promise<{ databaseRecords: DatabaseRecord[]; plans: TablePlan[] }> {
  const { control, options, target, emit, signal } = args;
  const databases = await discover(control, options);
  if (databases.length === 0) throw new ParadumpError('NOTHING_TO_DUMP', 'no database matches the filters');
  const allTables = databases.flatMap((d) => d.tables);
  emit({
    type: 'discovered',
    databases: databases.length,
    tables: allTables.length,
    rowsEstimate: allTables.reduce((a, t) => a + t.rowsEstimate, 0),
    bytesEstimate: allTables.reduce((a, t) => a + t.bytesEstimate, 0),
  });
  await args.hooks?.afterDiscovery?.();
  signal?.throwIfAborted();

  // Schema and plans are read before any lock: locks are taken as late as possible.
  const databaseRecords: DatabaseRecord[] = [];
  const plans: TablePlan[] = [];
  for (const db of databases) {
    let schema: Awaited<ReturnType<typeof writeDatabaseSchema>>;
    try {
      schema = await writeDatabaseSchema({ session: control, target, db: options.objects ? db : { ...db, views: [], triggers: [], routines: [], events: [] } });
    } catch (error) {
      if (driverErrno(error) !== ER.BAD_DB && !isParadumpError(error, 'UNKNOWN_DATABASE')) throw error;
      args.warn({ code: 'DATABASE_DROPPED', message: `database ${db.name} was dropped after discovery; skipped`, database: db.name });
      for (const table of db.tables) plans.push(skippedPlan(table, 'DATABASE_DROPPED', `database ${db.name} was dropped after discovery`));
      continue;
    }
    for (const message of schema.warnings) args.warn({ code: 'OBJECT_SKIPPED', message, database: db.name });
    databaseRecords.push({ name: db.name, charset: schema.charset, collation: schema.collation, schemaFile: schema.schemaFile, objects: schema.objects });
    for (const table of db.tables) plans.push(newPlan(table));
  }
  const skip = async (plan: TablePlan, error: unknown) => {
    if (!isTableGone(error)) throw error;
    await skipTable(plan, error, { emit, warn: args.warn, openJournal: null, target: null });
  };
  // Definitions and plans come over every connection at once; small tables are counted in batches.
  await writeTableSchemas({ sessions: [control, ...args.planners], target, plans: plans.filter((p) => !p.skipped), signal, onError: skip });
  await planTables({
    planners: args.planners,
    plans,
    chunkRows: options.chunkRows,
    signal,
    planOne: (plan, session) => planTable({ session, plan, chunkRows: options.chunkRows, emit, warn: args.warn, signal }),
    onPlanned: (plan) => emitPlanned(plan, emit),
  });
  return { databaseRecords, plans };
}

function skippedPlan(table: TableInfo, code: string, reason: string): TablePlan {
  return { info: table, columns: [], keyColumns: [], chunkIndex: null, schemaFile: dumpPaths.tableSchema(table.database, table.name), chunks: [], done: [], skipped: { code, reason } };
}

function emitPlanned(plan: TablePlan, emit: (e: DumpEvent) => void): void {
  if (plan.skipped) return;
  emit({
    type: 'table-planned',
    database: plan.info.database,
    table: plan.info.name,
    chunkKey: plan.keyColumns.map((c) => c.name),
    rowsEstimate: plan.info.rowsEstimate,
    bytesEstimate: plan.info.bytesEstimate,
    chunks: plan.chunks.map((c) => ({ index: c.index, lower: c.lower, upper: c.upper, done: plan.done.some((d) => d.index === c.index) })),
  });
}

function buildManifest(args: {
  options: DumpOptions;
  address: ServerAddress;
  control: Session;
  started: Date;
  snapshots: SnapshotRecord[];
  locks: LockRecord[];
  resumedAt: string[];
  databaseRecords: DatabaseRecord[];
  plans: TablePlan[];
  warnings: Manifest['warnings'];
  accounts: AccountsSummary | null;
  key: DumpKey | null;
}): Manifest {
  const { options, snapshots } = args;
  const tables: TableRecord[] = args.plans.map(tableRecord);
  const used = new Set(tables.flatMap((t) => t.chunks.map((c) => c.snapshot)));
  const instance = (options.lock === 'snapshot' || options.lock === 'lockless') && used.size <= 1 ? (snapshots.find((s) => used.has(s.id)) ?? snapshots[0] ?? null) : null;
  const consistency = describeConsistency(options.lock, instance, used.size);
  const manifest: Manifest = {
    format: 'paradump',
    version: manifestVersionFor(options.format, args.accounts !== null, args.key !== null, tables.some((t) => t.chunks.some((c) => c.contentXxh3 !== undefined))),
    tool: { name: 'paradump', version: TOOL_VERSION },
    startedAt: args.started.toISOString(),
    finishedAt: new Date().toISOString(),
    source: { flavor: args.control.flavor.kind, version: args.control.flavor.versionString, host: args.address.host, port: args.address.port },
    options: RecordedDumpOptions.parse({ ...options, blockDdl: options.blockDdl ?? args.control.sql.ddlBlockIsFree, users: args.accounts !== null }),
    consistency: { ...consistency, binlog: instance?.binlog ?? null, gtid: instance?.gtid ?? null, snapshots },
    resumedAt: args.resumedAt,
    locks: args.locks,
    databases: args.databaseRecords,
    tables,
    totals: {
      tables: tables.filter((t) => !t.skipped).length,
      skippedTables: tables.filter((t) => t.skipped).length,
      chunks: tables.reduce((a, t) => a + t.chunks.length, 0),
      rows: tables.reduce((a, t) => a + t.rows, 0),
      bytes: tables.reduce((a, t) => a + t.bytes, 0),
    },
    warnings: args.warnings,
    ...(args.accounts ? { accounts: args.accounts } : {}),
    ...(args.key ? { encryption: { algorithm: 'aes-256-gcm' as const, keyId: args.key.id, segmentBytes: SEGMENT_BYTES } } : {}),
  };
  return Manifest.parse(manifest);
}

type Verdict = Pick<Manifest['consistency'], 'mode' | 'consistent' | 'consistentWithin' | 'note' | 'method' | 'reason'>;

function describeConsistency(mode: DumpOptions['lock'], instance: SnapshotRecord | null, snapshotsUsed: number): Verdict {
  if ((mode === 'snapshot' || mode === 'lockless') && snapshotsUsed > 1) {
    const reason = `resumed: rows come from ${snapshotsUsed} snapshots`;
    return { mode, consistent: false, consistentWithin: 'chunk-set', method: mode === 'snapshot' ? 'commit-block' : (instance?.verdict?.method ?? 'none'), reason, note: `Resumed: rows come from ${snapshotsUsed} snapshots. Chunks of one snapshot are consistent with each other; the dump as a whole is not one point in time.` };
  }
  const at = instance?.binlog ? `, binlog ${instance.binlog.file}:${instance.binlog.position}` : '';
  switch (mode) {
    case 'snapshot':
      return {
        mode,
        consistent: true,
        consistentWithin: 'instance',
        method: 'commit-block',
        reason: null,
        note: instance?.binlog
          ? `All tables were read at one point in time${at}; commits were blocked only while the snapshots opened.`
          : 'All tables were read at one point in time; the server has no binary log, so no point-in-time recovery from this dump.',
      };
    case 'lockless':
    case 'auto': {
      const verdict = instance?.verdict ?? { consistent: false, method: 'position-unchanged' as const, attempts: 0, reason: 'no snapshot was opened' };
      const how = verdict.method === 'snapshot-position' ? "every worker's snapshot saw the same binlog position" : 'the binlog position did not move while the snapshots opened';
      return verdict.consistent
        ? { mode: 'lockless', consistent: true, consistentWithin: 'instance', method: verdict.method, reason: null, note: `All tables were read at one point in time${at}, without a lock: ${how}${verdict.attempts > 1 ? ` (attempt ${verdict.attempts})` : ''}.` }
        : // Workers read chunks of the same table in their own snapshots: not even a table is one point in time.
          { mode: 'lockless', consistent: false, consistentWithin: 'none', method: verdict.method, reason: verdict.reason, note: `Not one point in time: ${verdict.reason}. Each chunk was read in one snapshot, but the workers' snapshots differ, even within a table.` };
    }
    case 'per-db':
      return { mode, consistent: false, consistentWithin: 'database', method: 'table-locks', reason: 'each database was read at its own point in time', note: 'Each database was locked and read at its own point in time (see snapshots): consistent within a database, not across databases.' };
    case 'per-table':
      return { mode, consistent: false, consistentWithin: 'table', method: 'table-locks', reason: 'each table was read at its own point in time', note: 'Each table was write-locked while it was read: consistent within a table, not across tables.' };
    case 'none':
      return { mode, consistent: false, consistentWithin: 'none', method: 'none', reason: 'no locks were taken', note: 'No locks were taken: rows were read while the server may have been changing them. Consistent only if the server was quiet (e.g. a stopped replica).' };
  }
}

function toParadumpError(error: unknown, signal: AbortSignal | undefined): ParadumpError {
  if (signal?.aborted) return new ParadumpError('ABORTED', 'the dump was cancelled; finished chunks are kept and the dump can be resumed', { cause: error });
  if (isParadumpError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return new ParadumpError('DISK_FULL', 'the output disk is full; the dump is incomplete (no manifest was written) and can be resumed once there is space', { cause: error });
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new ParadumpError('OUTPUT_UNWRITABLE', `cannot write the output directory (${code})`, { cause: error });
  return fromDriverError(error, 'dumping');
}

/** Answers the planner's questions with SQL; `session` must be a reader (raw bytes, see open-reader.ts). */
function sqlProbe(session: Session, table: TableInfo, key: { index: string; columns: ColumnInfo[] } | null): KeyProbe {
  const from = qualified(table.database, table.name);
  if (!key) {
    return { keyKind: 'none', integerBounds: async () => null, countRows: async () => 0n, keyAtOffset: async () => null };
  }
  const cols = key.columns;
  const force = key.index === 'PRIMARY' ? '' : ` FORCE INDEX (${quoteId(key.index)})`;
  const integer = cols.length === 1 && isIntegerType(cols[0]!.dataType);
  const asKey = (row: RawValue[]): KeyValue[] => cols.map((c, i) => keyValueFromRaw(c, row[i] ?? null));
  return {
    keyKind: integer ? 'integer' : 'other',
    async integerBounds() {
      const id = quoteId(cols[0]!.name);
      const [row] = await session.queryRaw(`SELECT MIN(${id}), MAX(${id}) FROM ${from}`);
      if (!row || row[0] === null || row[1] === null) return null;
      return { min: BigInt(row[0]!.toString('latin1')), max: BigInt(row[1]!.toString('latin1')) };
    },
    async countRows() {
      const [row] = await session.queryRaw(`SELECT COUNT(*) FROM ${from}`);
      return BigInt(row?.[0]?.toString('latin1') ?? '0');
    },
    async keyAtOffset(lower, offset) {
      const where = lower ? ` WHERE ${rangeCondition(cols, lower, null)}` : '';
      const sql = `SELECT ${orderBy(cols)} FROM ${from}${force}${where} ORDER BY ${orderBy(cols)} LIMIT 1 OFFSET ${offset}`;
      const [row] = await session.queryRaw(sql);
      return row ? asKey(row) : null;
    },
  };
}

function newPlan(table: TableInfo): TablePlan {
  const key = chooseChunkKey(table);
  return {
    info: table,
    columns: table.columns.filter((c) => !c.generated),
    keyColumns: key?.columns ?? [],
    chunkIndex: key?.index ?? null,
    schemaFile: dumpPaths.tableSchema(table.database, table.name),
    chunks: [],
    done: [],
    skipped: null,
  };
}

async function planTable(args: { session: Session; plan: TablePlan; chunkRows: number; emit: (e: DumpEvent) => void; warn: Warn; signal: AbortSignal | undefined }): Promise<void> {
  const { plan } = args;
  const key = plan.chunkIndex === null ? null : { index: plan.chunkIndex, columns: plan.keyColumns };
  try {
    plan.chunks = await planChunks({ probe: sqlProbe(args.session, plan.info, key), chunkRows: args.chunkRows, signal: args.signal });
  } catch (error) {
    if (!isTableGone(error)) throw error;
    await skipTable(plan, error, { ...args, openJournal: null, target: null });
    return;
  }
  emitPlanned(plan, args.emit);
}

/** Column list as the INSERTs name it, with types: what must not change between plan and read. */
function columnSignature(columns: readonly { name: string; columnType: string; generated: boolean }[]): string {
  return JSON.stringify(columns.filter((c) => !c.generated).map((c) => [c.name, c.columnType]));
}

/**
 * A table altered between discovery and its snapshot (a column added, dropped or retyped) is
 * re-planned: its definition is read again, its schema file rewritten, and its chunks re-planned if
 * the key changed. A table altered after its snapshot opened cannot be read in it (MariaDB reports
 * "table definition has changed") and is skipped with that reason. Returns whether any plan changed.
 */
async function replanChangedTables(args: {
  control: Session;
  /** A reader session (raw bytes): key boundaries must be read exactly. */
  planner: Session;
  target: StorageTarget;
  plans: TablePlan[];
  chunkRows: number;
  warn: Warn;
  emit: (e: DumpEvent) => void;
  signal: AbortSignal | undefined;
  openJournal: Journal;
}): Promise<boolean> {
  const { control } = args;
  const live = args.plans.filter((p) => !p.skipped);
  if (live.length === 0) return false;
  const dbs = [...new Set(live.map((p) => p.info.database))];
  const rows = await control.query<{ db: string; t: string; name: string; columnType: string; extra: string | null }>(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t, COLUMN_NAME AS name, COLUMN_TYPE AS columnType, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${dbs.map((d) => control.connection.escape(d)).join(', ')}) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
  );
  const current = new Map<string, { name: string; columnType: string; generated: boolean }[]>();
  for (const r of rows) {
    const key = `${r.db}\u0000${r.t}`;
    const generated = /\bGENERATED\b|\b(VIRTUAL|PERSISTENT|STORED)\b/.test((r.extra ?? '').toUpperCase());
    current.set(key, [...(current.get(key) ?? []), { name: r.name, columnType: r.columnType, generated }]);
  }
  let changed = false;
  for (const plan of live) {
    const now = current.get(`${plan.info.database}\u0000${plan.info.name}`);
    if (!now) continue; // dropped: reading it reports that
    if (columnSignature(now) === columnSignature(plan.info.columns)) continue;
    if (plan.done.length > 0) {
      // Chunks already on disk have the old columns: mixing shapes would not load.
      await skipTable(plan, Object.assign(new Error('columns changed while the table was being dumped'), { errno: ER.TABLE_DEF_CHANGED }), { ...args, target: args.target });
      continue;
    }
    const fresh = (await discoverDatabase(control, plan.info.database, false)).tables.find((t) => t.name === plan.info.name);
    if (!fresh) continue;
    const before = plan.keyColumns.map((c) => c.name).join(',');
    const key = chooseChunkKey(fresh);
    plan.info = fresh;
    plan.columns = fresh.columns.filter((c) => !c.generated);
    plan.keyColumns = key?.columns ?? [];
    plan.chunkIndex = key?.index ?? null;
    plan.schemaFile = await writeTableSchema({ session: control, target: args.target, database: fresh.database, table: fresh.name });
    if (plan.keyColumns.map((c) => c.name).join(',') !== before) {
      plan.chunks = await planChunks({ probe: sqlProbe(args.planner, fresh, key), chunkRows: args.chunkRows, signal: args.signal });
    }
    changed = true;
    args.warn({ code: 'TABLE_REPLANNED', message: `table ${fresh.database}.${fresh.name} was altered after discovery; its definition and chunks were read again`, database: fresh.database, table: fresh.name });
    emitPlanned(plan, args.emit);
  }
  return changed;
}

/** The table was dropped, renamed or changed after discovery. */
function isTableGone(error: unknown): boolean {
  const errno = driverErrno(error) ?? (isParadumpError(error) ? driverErrno(error.cause) : undefined);
  return errno === ER.NO_SUCH_TABLE || errno === ER.BAD_FIELD || errno === ER.TABLE_DEF_CHANGED || isParadumpError(error, 'TABLE_DROPPED');
}

async function skipTable(plan: TablePlan, error: unknown, args: { emit: (e: DumpEvent) => void; warn: Warn; openJournal: Journal | null; target: StorageTarget | null }): Promise<void> {
  if (plan.skipped) return;
  const errno = driverErrno(error) ?? (isParadumpError(error) ? driverErrno(error.cause) : undefined);
  const code = errno === ER.BAD_FIELD || errno === ER.TABLE_DEF_CHANGED ? 'TABLE_CHANGED' : 'TABLE_DROPPED';
  const text = fromDriverError(error, `${plan.info.database}.${plan.info.name}`).message;
  const reason = code === 'TABLE_CHANGED' ? `table was altered after discovery: ${text}` : `table disappeared after discovery: ${text}`;
  plan.skipped = { code, reason };
  args.emit({ type: 'table-skipped', database: plan.info.database, table: plan.info.name, code, reason });
  args.warn({ code, message: reason, database: plan.info.database, table: plan.info.name });
  await args.openJournal?.append({ type: 'skip', database: plan.info.database, table: plan.info.name, code, reason });
  // Its files are not part of the dump: a skipped table has no chunks.
  await args.target?.delete(plan.done.map((c) => c.file));
  plan.done = [];
}

/** What every chunk of a lock set is dumped with. */
interface ChunkRun {
  target: StorageTarget;
  key: DumpKey | null;
  options: DumpOptions;
  journal: Journal;
  snapshotId: number;
  emit: (e: DumpEvent) => void;
  warn: Warn;
  signal: AbortSignal | undefined;
  throttle: Throttle;
}

interface ReadChunk {
  plan: TablePlan;
  record: ChunkRecord;
}

/** One chunk: read into its file (fsynced, renamed), journaled, then counted done. */
async function dumpChunk(args: ChunkRun & { task: ChunkTask; worker: Session; workerIndex: number }): Promise<void> {
  const read = await readChunk({ ...args, files: args.target });
  if (!read) return;
  await args.journal.append(journalEntry(read));
  countDone(read, args.emit);
}

/**
 * A group of small-table chunks: their files are written unsynced, made durable together, then
 * journaled with one write + fdatasync, and only then counted done. The journal never names a file
 * that is not yet durable; a kill before that leaves files no journal line names, which a resume
 * removes.
 */
async function dumpChunkGroup(args: ChunkRun & { tasks: ChunkTask[]; worker: Session; workerIndex: number; folders: Folders }): Promise<void> {
  const files = new ChunkGroupFiles(args.target.location, args.folders);
  const read: ReadChunk[] = [];
  try {
    for (const task of args.tasks) {
      const one = await readChunk({ ...args, task, files });
      if (one) read.push(one);
    }
    await files.syncAll();
  } catch (error) {
    await files.closeAll();
    throw error;
  }
  const kept = read.filter((r) => !r.plan.skipped);
  await args.journal.appendAll(kept.map(journalEntry));
  for (const r of kept) countDone(r, args.emit);
  // A table skipped while its group was being read: its file is not part of the dump.
  const dropped = read.filter((r) => r.plan.skipped).map((r) => r.record.file);
  if (dropped.length > 0) await args.target.delete(dropped);
}

/** Streams a chunk into its file; null when its table was (or got) skipped. */
async function readChunk(args: ChunkRun & { task: ChunkTask; worker: Session; workerIndex: number; files: Pick<StorageTarget, 'openWrite'> }): Promise<ReadChunk | null> {
  const { task, worker, workerIndex, emit } = args;
  const { plan, chunk } = task;
  // A busy server holds back chunks not yet started; the worker's snapshot stays open meanwhile.
  await args.throttle.gate?.wait(args.signal);
  if (plan.skipped) return null;
  const database = plan.info.database;
  const table = plan.info.name;
  const spec: ChunkSpec = {
    database,
    table,
    index: chunk.index,
    lower: chunk.lower,
    upper: chunk.upper,
    columns: plan.columns,
    keyColumns: plan.keyColumns,
    forceIndex: plan.chunkIndex === 'PRIMARY' ? null : plan.chunkIndex,
    file: dumpPaths.chunk(database, table, chunk.index, args.options.compress, args.options.format),
  };
  emit({ type: 'chunk-started', database, table, index: chunk.index, worker: workerIndex });
  let lastProgress = 0;
  try {
    const result = await writeChunk({
      session: worker,
      target: args.files,
      spec,
      encrypt: args.key,
      compress: args.options.compress,
      compressLevel: args.options.compressLevel,
      format: args.options.format,
      statementBytes: args.options.statementBytes,
      signal: args.signal,
      rate: args.throttle.rate,
      small: args.files !== args.target,
      onRows: (rows) => {
        const now = performance.now();
        if (now - lastProgress < 250) return;
        lastProgress = now;
        emit({ type: 'chunk-progress', database, table, index: chunk.index, worker: workerIndex, rows });
      },
    });
    if (plan.skipped) return null;
    const record: ChunkRecord = { index: chunk.index, file: spec.file, lower: chunk.lower, upper: chunk.upper, ...result, snapshot: args.snapshotId, worker: workerIndex, ...(args.key ? { encrypted: true as const } : {}) };
    return { plan, record };
  } catch (error) {
    if (!isTableGone(error) || args.signal?.aborted) throw error;
    await skipTable(plan, error, { emit, warn: args.warn, openJournal: args.journal, target: args.target });
    return null;
  }
}

function journalEntry({ plan, record }: ReadChunk): JournalEntry {
  return { type: 'chunk', database: plan.info.database, table: plan.info.name, ...record };
}

/** After its journal line is durable: the chunk is done. */
function countDone({ plan, record }: ReadChunk, emit: (e: DumpEvent) => void): void {
  const database = plan.info.database;
  const table = plan.info.name;
  plan.done.push(record);
  emit({ type: 'chunk-finished', database, table, index: record.index, worker: record.worker, rows: record.rows, bytes: record.bytes, sha256: record.sha256, durationMs: record.durationMs, file: record.file });
  if (plan.done.length === plan.chunks.length) {
    emit({ type: 'table-finished', database, table, rows: sum(plan.done, 'rows'), bytes: sum(plan.done, 'bytes'), chunks: plan.done.length });
  }
}

function sum(records: readonly ChunkRecord[], field: 'rows' | 'bytes'): number {
  return records.reduce((a, r) => a + r[field], 0);
}

/** How a column's values are written, as the manifest records it. */
function encodingRecord(c: ColumnInfo): KeyColumnRecord {
  return { name: c.name, encoding: c.encoding, charset: c.charset };
}

function tableRecord(p: TablePlan): TableRecord {
  const chunks = p.skipped ? [] : [...p.done].sort((a, b) => a.index - b.index);
  return {
    database: p.info.database,
    table: p.info.name,
    engine: p.info.engine,
    transactional: p.info.transactional,
    schemaFile: p.schemaFile,
    columns: p.columns.map((c) => c.name),
    columnEncodings: p.columns.map(encodingRecord),
    chunkKey: p.keyColumns.map((c) => c.name),
    chunkKeyColumns: p.keyColumns.map(encodingRecord),
    chunkIndex: p.chunkIndex,
    rows: sum(chunks, 'rows'),
    bytes: sum(chunks, 'bytes'),
    chunks,
    skipped: p.skipped,
  };
}


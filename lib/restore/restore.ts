import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { driverErrno, ER, fromDriverError } from '../mysql/driver-error.ts';
import { badOption, isParadumpError, ParadumpError } from '../core/errors.ts';
import type { ChunkRecord, Manifest, ObjectRecord } from '../core/manifest.ts';
import { quoteId, qualified } from '../core/sql-names.ts';
import { parseServerUri, redactUri, withTls } from '../mysql/uri.ts';
import { checkDumpFiles, describeProblems } from './check-files.ts';
import { readSmallFile } from './dump-file.ts';
import type { DumpKey } from '../core/dump-key.ts';
import type { RestoreEvent, RestoreEventListener } from './events.ts';
import { loadChunk } from './load-chunk.ts';
import { parseOptions } from '../core/parse-options.ts';
import { RestoreOptions, type RestoreOptionsInput } from './options.ts';
import { keyForManifest, readManifest } from './read-manifest.ts';
import { forgetProgress } from './pitr-progress.ts';
import { JournalState, RestoreJournal, type RestorePlanRecord } from './restore-journal.ts';
import { readRestoreProgress, writeRestoreAttempt, type RestoreProgress } from './restore-attempt.ts';
import { addIndexesSql, deferSecondaryIndexes, disableEvent, indexName, parseObjectFile, parseSequenceFile, parseTableSchema } from './schema-sql.ts';
import { selectFromManifest, type SelectedDatabase, type SelectedTable, type Selection } from './select.ts';
import { chooseLoadMethod } from './load-data.ts';
import { runPool } from '../core/run-pool.ts';
import { checkThreadsRunningLimit } from '../core/dump-options.ts';
import { startThrottle } from '../throttle/start-throttle.ts';
import { loadNamesOfDatabase } from './load-names.ts';
import { defaultRestoreStateDir } from '../storage/location.ts';
import { RESTORE_SESSION_SQL, TargetConnection, type ConnectionNames } from './target-connection.ts';
import { applyAccounts, planAccounts, type AccountsReport } from './restore-accounts.ts';

export interface RestoreControls {
  /** Receives every event, synchronously, in order. */
  onEvent?: RestoreEventListener;
  /** Aborting stops the loaders (in-flight chunks are rolled back or cleared on resume) and rejects with ABORTED. */
  signal?: AbortSignal;
  /** Test hooks. */
  hooks?: {
    /** After a chunk's COMMIT, before it is journaled: throwing here is a crash at the worst moment. */
    afterChunkCommitted?: (chunk: { database: string; table: string; index: number }) => Promise<void>;
    /** After an account is created and journaled: throwing here stops the restore among its accounts. */
    afterAccountCreated?: (account: string) => Promise<void>;
  };
}

export interface RestoreResult {
  resumed: boolean;
  tables: number;
  chunks: number;
  /** Chunks a resumed run found already loaded. */
  skippedChunks: number;
  rows: number;
  bytes: number;
  objects: number;
  durationMs: number;
  /** The journal of this restore (kept; a later `resume` reads it). */
  journal: string;
  /** Accounts created and left as they were (`users`); null without `users`. */
  accounts: AccountsReport | null;
  warnings: { code: string; message: string }[];
}

interface TableRun {
  sel: SelectedTable;
  /** Deferred index clauses, added after the last chunk. */
  deferred: string[];
  /** The connection charset its data files load under (`loadNames`). */
  names: ConnectionNames;
  remaining: number;
  rows: number;
  /** The table existed before this run started loading (a resumed or partial restore): chunk ranges are cleared before loading. */
  mayHoldRows: boolean;
  /**
   * Chunks of a new, empty table wait until its first chunk is in: InnoDB loads an empty table in
   * bulk mode under a table lock, and two transactions racing for it deadlock.
   */
  gate: 'closed' | 'loading' | 'open';
  /** Chunks of it being loaded right now. */
  inFlight: number;
}

interface ChunkTask {
  run: TableRun;
  chunk: ChunkRecord;
}

/**
 * Restores a paradump dump into a server: databases (optionally renamed), tables, then chunks in
 * parallel on `threads` connections, then (deferred indexes and) views, triggers, routines and events.
 * Every step is journaled; `resume` continues after any crash without losing or duplicating a row.
 * Resolves with totals; rejects with a ParadumpError.
 */
export async function restore(input: RestoreOptionsInput, controls: RestoreControls = {}): Promise<RestoreResult> {
  const emit: RestoreEventListener = (event) => controls.onEvent?.(event);
  const signal = controls.signal;
  const started = new Date();
  const startedTick = performance.now();
  const connections: TargetConnection[] = [];
  let journal: RestoreJournal | null = null;
  let stagingDatabases: string[] = [];
  let control: TargetConnection | null = null;
  const warnings: { code: string; message: string }[] = [];
  const warn = (code: string, message: string, where: { database?: string; table?: string } = {}) => {
    warnings.push({ code, message });
    emit({ type: 'warning', code, message, ...where });
  };

  try {
    const options = parseOptions(RestoreOptions, input);
    checkThreadsRunningLimit(options);
    const address = withTls(parseServerUri(options.target), options.tls);
    if (options.chunks && options.dropExisting) throw new ParadumpError('BAD_OPTION', 'chunks replaces ranges of an existing table; it cannot be combined with dropExisting');
    if (options.resume && options.dropExisting) throw new ParadumpError('BAD_OPTION', 'resume continues an interrupted restore; dropExisting starts over: choose one');
    const { dir, manifest, sha256 } = await readManifest(options.from, options.storage);
    // Before the target is connected to: a wrong key changes nothing.
    const key = await keyForManifest(manifest, options.decryption, dir);
    const selection = selectFromManifest({ manifest, rename: options.rename, databases: options.databases, tables: options.tables, chunks: options.chunks, objects: options.objects });

    const plan: RestorePlanRecord = {
      manifestSha256: sha256,
      target: redactUri(address),
      rename: options.rename,
      databases: options.databases,
      tables: options.tables,
      ...(options.chunks ? { chunks: options.chunks } : {}),
      deferIndexes: options.deferIndexes,
      objects: options.objects,
      ...(options.users ? { users: true } : {}),
      ...(options.disableEvents ? { disableEvents: true } : {}),
    };
    if (options.skipExistingUsers && !options.users) throw badOption('skipExistingUsers', 'applies to accounts: add users (--users)');
    const stateDir = path.resolve(options.stateDir ?? defaultRestoreStateDir(dir));
    const journalFile = RestoreJournal.locate(stateDir, address, selection.databases.map((d) => d.targetDatabase));
    const decision = decideResume({ options, plan, progress: await readRestoreProgress(journalFile), journalFile });
    const { state, resumed, dropExisting } = decision;
    // What this attempt was asked, on disk before anything connects: a resume knows what to continue.
    const attempt = decision.attempt ?? randomUUID();
    if (!resumed) await writeRestoreAttempt(journalFile, { id: attempt, at: started.toISOString(), plan, dropExisting });
    if (decision.restarted) warn('RESTORE_RESTARTED', `the interrupted restore was stopped before it changed anything (journal ${journalFile}): nothing of it was applied, so it runs from the start`);

    signal?.throwIfAborted();
    control = await TargetConnection.open(address, { label: `connecting to the target ${redactUri(address)}`, noBinlog: options.noBinlog });
    connections.push(control);
    const ctl = control;
    if (ctl.flavor.kind !== manifest.source.flavor) {
      warn('FLAVOR_DIFFERS', `the dump comes from ${manifest.source.flavor} ${manifest.source.version}; the target is ${ctl.flavor.kind} ${ctl.flavor.versionString}: some definitions may not load`);
    }
    const method = await chooseLoadMethod({
      conn: ctl,
      format: manifest.options.format,
      requested: options.loadMethod,
      tables: selection.tables.filter((t) => t.chunks.length > 0).map((t) => t.record),
    });
    for (const s of selection.skipped) warn('TABLE_SKIPPED', `${s.database}.${s.table} is not in the dump (${s.reason})`, { database: s.database, table: s.table });

    const { runs, tasks, skippedChunks } = planTableRuns({ selection, state, resumed, emit });
    const objectCount = selection.databases.reduce((a, d) => a + d.sequences.length + d.objects.length, 0);
    emit({
      type: 'run-started',
      at: started.toISOString(),
      target: redactUri(address),
      flavor: ctl.flavor.kind,
      version: ctl.flavor.versionString,
      resumed,
      loadMethod: method,
      databases: selection.databases.length,
      tables: runs.length,
      objects: objectCount,
      chunks: tasks.length,
      rows: tasks.reduce((a, t) => a + t.chunk.rows, 0),
      bytes: tasks.reduce((a, t) => a + t.chunk.bytes, 0),
    });

    const conflicts = await checkBeforeChanging({ ctl, dir, selection, state, resumed, runs, tasks, options: { ...options, dropExisting }, emit, warn, signal });
    const accountsPlan = options.users ? await planAccounts({ ctl, dir, key, manifest, skipExisting: options.skipExistingUsers, state: resumed ? state : null }) : null;

    if (resumed) await killLeftovers(ctl, state, warn);
    const workerCount = Math.max(1, Math.min(options.threads, tasks.length));
    const workers: TargetConnection[] = [];
    for (let i = 0; i < workerCount; i++) {
      const w = await TargetConnection.open(address, { label: `opening loader connection ${i + 1}`, noBinlog: options.noBinlog });
      connections.push(w);
      workers.push(w);
    }
    journal = await RestoreJournal.open(journalFile, { fresh: !resumed });
    const jr = journal;
    if (!resumed) await jr.append({ type: 'begin', at: started.toISOString(), plan, attempt });
    await jr.append({ type: 'connections', at: new Date().toISOString(), threadIds: [ctl.threadId, ...workers.map((w) => w.threadId)] });

    if (dropExisting && conflicts.length > 0) await dropConflicts(ctl, conflicts);
    // A roll forward recorded for these names was of databases that no longer exist as they were.
    if (!resumed) await forgetProgress(ctl, selection.databases.map((d) => d.targetDatabase));

    let objectsDone = await createDatabasesAndTables({ ctl, dir, key, selection, runs, state, resumed, method, deferIndexes: options.deferIndexes, journal: jr, emit, warn, signal });

    // Chunks, in parallel; largest tables first so the long ones start early.
    tasks.sort((a, b) => b.run.sel.record.bytes - a.run.sel.record.bytes || a.run.sel.record.table.localeCompare(b.run.sel.record.table) || a.chunk.index - b.chunk.index);
    if (selection.tables.some((t) => t.keyRange)) {
      const tag = randomBytes(4).toString('hex');
      stagingDatabases = workers.map((_, i) => `_paradump_stage_${tag}_${i}`);
      for (const s of stagingDatabases) await ctl.exec(`CREATE DATABASE ${quoteId(s)}`);
    }

    const { rowsLoaded, bytesLoaded } = await loadChunks({ ctl, dir, key, workers, tasks, runs, state, resumed, stagingDatabases, skipVerify: options.skipVerify, format: manifest.options.format, method, journal: jr, emit, warn, signal, hooks: controls.hooks,
      throttle: { maxRate: options.maxRate, maxThreadsRunning: options.maxThreadsRunning, openSession: () => openTarget(connections, address, 'opening the throttle connection', options.noBinlog) } });

    // Views, routines, triggers, events: after the data (triggers must not fire on restored rows).
    objectsDone += await createObjects({ ctl, dir, key, selection, state, resumed, disableEvents: options.disableEvents, journal: jr, emit, warn, signal });
    // Accounts last: table, column and routine grants need what they name to exist.
    signal?.throwIfAborted();
    const accounts = accountsPlan ? await applyAccounts({ ctl, plan: accountsPlan, rename: options.rename, state: resumed ? state : null, journal: jr, emit, warn, afterCreated: controls.hooks?.afterAccountCreated }) : null;

    await jr.append({ type: 'finished', at: new Date().toISOString() });
    const durationMs = Math.round(performance.now() - startedTick);
    emit({ type: 'run-finished', at: new Date().toISOString(), rows: rowsLoaded, bytes: bytesLoaded, chunks: tasks.length, tables: runs.length, objects: objectsDone, durationMs });
    return { resumed, tables: runs.length, chunks: tasks.length, skippedChunks, rows: rowsLoaded, bytes: bytesLoaded, objects: objectsDone, durationMs, journal: journalFile, accounts, warnings };
  } catch (error) {
    const failure = toRestoreError(error, signal);
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    if (control && stagingDatabases.length > 0) {
      for (const s of stagingDatabases) await control.exec(`DROP DATABASE IF EXISTS ${quoteId(s)}`).catch(() => undefined);
    }
    await journal?.close().catch(() => undefined);
    // On failure the loaders may be mid-statement: destroy, so the server rolls back and frees locks.
    await Promise.all(connections.map((c) => (signal?.aborted ? Promise.resolve(c.destroy()) : c.close().catch(() => c.destroy()))));
  }
}

async function openTarget(connections: TargetConnection[], address: Parameters<typeof TargetConnection.open>[0], label: string, noBinlog: boolean): Promise<TargetConnection> {
  const conn = await TargetConnection.open(address, { label, noBinlog });
  connections.push(conn);
  return conn;
}

type Warn = (code: string, message: string, where?: { database?: string; table?: string }) => void;

/** A run per selected table and the chunks to load in this run (a resume skips the journaled ones). */
function planTableRuns(args: { selection: Selection; state: JournalState; resumed: boolean; emit: RestoreEventListener }): { runs: TableRun[]; tasks: ChunkTask[]; skippedChunks: number } {
  const { selection, state, resumed, emit } = args;
  const runs: TableRun[] = selection.tables.map((sel) => ({
    sel,
    deferred: [],
    names: 'utf8mb4',
    remaining: 0,
    rows: 0,
    mayHoldRows: selection.partial || (resumed && (state.deferredOf(sel.record.database, sel.record.table) !== undefined || state.isTableCreating(sel.record.database, sel.record.table))),
    gate: 'closed' as TableRun['gate'],
    inFlight: 0,
  }));
  for (const run of runs) if (run.mayHoldRows || !run.sel.record.transactional) run.gate = 'open';
  const tasks: ChunkTask[] = [];
  let skippedChunks = 0;
  for (const run of runs) {
    for (const chunk of run.sel.chunks) {
      if (resumed && state.isChunkDone(run.sel.record.database, run.sel.record.table, chunk.index)) {
        skippedChunks++;
        run.rows += chunk.rows;
        emit({ type: 'chunk-skipped', database: run.sel.record.database, table: run.sel.record.table, index: chunk.index, rows: chunk.rows, bytes: chunk.bytes });
        continue;
      }
      tasks.push({ run, chunk });
      run.remaining++;
    }
  }
  return { runs, tasks, skippedChunks };
}

/**
 * Refuses to overwrite, and checks the dump's files (all there, sizes right, hashes right unless
 * skipped, loudly), before anything is journaled or changed. Resolves with what --drop-existing replaces.
 */
async function checkBeforeChanging(args: {
  ctl: TargetConnection;
  dir: string;
  selection: Selection;
  state: JournalState;
  resumed: boolean;
  runs: TableRun[];
  tasks: ChunkTask[];
  options: RestoreOptions;
  emit: RestoreEventListener;
  warn: Warn;
  signal: AbortSignal | undefined;
}): Promise<Awaited<ReturnType<typeof findConflicts>>> {
  const { ctl, dir, selection, state, resumed, runs, tasks, options, emit, warn, signal } = args;
  // Refuse to overwrite before anything is hashed, journaled or changed.
  const conflicts = selection.partial ? [] : await findConflicts(ctl, selection, resumed ? state : null);
  if (conflicts.length > 0 && !options.dropExisting) {
    const shown = conflicts.slice(0, 5).map((c) => `${c.kind} ${c.database}.${c.name}`).join(', ');
    throw new ParadumpError('TARGET_EXISTS', `the target already has ${shown}${conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : ''}; nothing was changed (use --drop-existing to replace them)`, {
      details: { reason: 'TARGET_EXISTS', objects: conflicts },
    });
  }
  
  // The files: all there, sizes right, and (unless skipped, loudly) hashes right.
  const fileTick = performance.now();
  const plainFiles = [
    ...runs.filter((r) => !(resumed && state.deferredOf(r.sel.record.database, r.sel.record.table))).map((r) => r.sel.record.schemaFile),
    ...selection.databases.flatMap((d) => [...d.sequences, ...d.objects].filter((o) => !(resumed && state.isObjectDone(d.record.name, o.type, o.name))).map((o) => o.file)),
  ];
  const check = await checkDumpFiles({ dir, plainFiles, chunks: tasks.map((t) => ({ table: t.run.sel.record, chunk: t.chunk })), hash: !options.skipVerify, threads: Math.min(options.threads, 4), signal });
  if (check.problems.length > 0) {
    const hashOnly = check.problems.every((p) => p.problem === 'sha256' || p.problem === 'size');
    throw new ParadumpError(check.problems.every((p) => p.problem === 'missing') ? 'FILES_MISSING' : 'CHECKSUM_MISMATCH', `the dump is damaged, nothing was restored: ${describeProblems(check.problems)}`, {
      details: { reason: hashOnly ? 'CHECKSUM_MISMATCH' : 'FILES_MISSING', files: check.problems.map((p) => p.file), problems: check.problems },
    });
  }
  if (options.skipVerify) {
    warn('VERIFY_SKIPPED', `file hashes were NOT checked (--skip-verify): ${check.files} files are loaded as they are; run "paradump verify --from ${dir}" to check them`);
  }
  emit({ type: 'files-checked', files: check.files, bytes: check.bytes, hashed: !options.skipVerify, durationMs: Math.round(performance.now() - fileTick) });
  return conflicts;
}

/** Databases, sequences (a column default may use one), then tables. Resolves with the sequences created. */
async function createDatabasesAndTables(args: {
  ctl: TargetConnection;
  dir: string;
  key: DumpKey | null;
  selection: Selection;
  runs: TableRun[];
  state: JournalState;
  resumed: boolean;
  method: Awaited<ReturnType<typeof chooseLoadMethod>>;
  deferIndexes: boolean;
  journal: RestoreJournal;
  emit: RestoreEventListener;
  warn: Warn;
  signal: AbortSignal | undefined;
}): Promise<number> {
  const { ctl, dir, key, selection, runs, state, resumed, method, emit, warn, signal } = args;
  const jr = args.journal;
  // Databases.
  for (const db of selection.databases) {
    signal?.throwIfAborted();
    await createDatabase(ctl, db, warn);
    await jr.append({ type: 'database', database: db.record.name, targetDatabase: db.targetDatabase });
    emit({ type: 'database-created', database: db.record.name, targetDatabase: db.targetDatabase });
  }
  
  // Sequences (a column default may use one), then tables.
  let sequences = 0;
  for (const db of selection.databases) {
    for (const seq of db.sequences) {
      signal?.throwIfAborted();
      if (resumed && state.isObjectDone(db.record.name, seq.type, seq.name)) continue;
      await jr.append({ type: 'object-creating', database: db.record.name, objectType: seq.type, name: seq.name });
      if (resumed && state.isObjectCreating(db.record.name, seq.type, seq.name)) await ctl.exec(`DROP SEQUENCE IF EXISTS ${qualified(db.targetDatabase, seq.name)}`);
      await createSequence(ctl, { dir, key }, db, seq);
      await jr.append({ type: 'object', database: db.record.name, objectType: seq.type, name: seq.name });
      sequences++;
      emit({ type: 'object-created', database: db.record.name, objectType: seq.type, name: seq.name });
    }
  }
  for (const run of runs) {
    signal?.throwIfAborted();
    await prepareTable({ ctl, dir, key, run, state, resumed, partial: selection.partial, deferIndexes: args.deferIndexes, journal: jr, emit, warn });
  }
  // Decided from the tables as they are on the target (created above, or there already). Only
  // INSERTs use it: a LOAD DATA names its own charset.
  const insertDatabases = method === 'insert' ? runs.map((r) => r.sel.targetDatabase) : [];
  for (const database of new Set(insertDatabases)) {
    const names = await loadNamesOfDatabase(ctl, database);
    for (const run of runs) if (run.sel.targetDatabase === database) run.names = names.get(run.sel.record.table) ?? 'utf8mb4';
  }
  return sequences;
}

/** Loads the chunks in parallel, each table finished (deferred indexes) after its last chunk. */
async function loadChunks(args: {
  ctl: TargetConnection;
  dir: string;
  key: DumpKey | null;
  workers: TargetConnection[];
  tasks: ChunkTask[];
  runs: TableRun[];
  state: JournalState;
  resumed: boolean;
  stagingDatabases: string[];
  skipVerify: boolean;
  format: Manifest['options']['format'];
  method: Awaited<ReturnType<typeof chooseLoadMethod>>;
  journal: RestoreJournal;
  emit: RestoreEventListener;
  warn: Warn;
  signal: AbortSignal | undefined;
  hooks: RestoreControls['hooks'];
  throttle: Omit<Parameters<typeof startThrottle>[0], 'onEvent'>;
}): Promise<{ rowsLoaded: number; bytesLoaded: number }> {
  const { ctl, dir, workers, tasks, runs, state, resumed, stagingDatabases, method, emit, warn, signal } = args;
  const jr = args.journal;
  let rowsLoaded = 0;
  let bytesLoaded = 0;
  const finishTable = async (run: TableRun, conn: TargetConnection) => {
    const { database, table } = run.sel.record;
    if (run.deferred.length > 0 && !(resumed && state.areIndexesDone(database, table))) {
      const tick = performance.now();
      await addDeferredIndexes(conn, run);
      await jr.append({ type: 'indexes', database, table });
      emit({ type: 'indexes-added', database, table, indexes: run.deferred.length, durationMs: Math.round(performance.now() - tick) });
    }
    emit({ type: 'table-finished', database, table, rows: run.rows, chunks: run.sel.chunks.length });
  };
  // Tables with nothing left to load (resumed) still need their indexes and a finish.
  for (const run of runs) if (run.remaining === 0) await finishTable(run, ctl);
  const throttle = await startThrottle({ ...args.throttle, onEvent: emit });
  await runPool({
    workers,
    tasks,
    signal,
    destroyOnAbort: true,
    eligible: ({ run }) => run.gate !== 'loading',
    // Connections spread over tables while there are tables enough: two LOAD DATA statements
    // into one table with an AUTO_INCREMENT column take turns (InnoDB's table-level AUTO-INC
    // lock), and INSERTs share the table's index pages (docs/benchmarks.md, "restore: spread").
    preferred: ({ run }) => run.inFlight === 0,
    run: async ({ run, chunk }, conn, worker) => {
      const { database, table } = run.sel.record;
      const opening = run.gate === 'closed';
      if (opening) run.gate = 'loading';
      run.inFlight++;
      // A busy target holds back chunks not yet started (counted in flight, so the table's gate holds).
      await throttle.gate?.wait(signal).catch((error: unknown) => {
        run.inFlight--;
        if (opening) run.gate = 'closed';
        throw error;
      });
      emit({ type: 'chunk-started', database, table, index: chunk.index, worker, rows: chunk.rows, bytes: chunk.bytes });
      let loaded;
      try {
        loaded = await withRetry((attempt) => loadChunk({
          conn,
          dir,
          key: args.key,
          table: run.sel.record,
          targetDatabase: run.sel.targetDatabase,
          chunk,
          // A retried load of a table without transactions may have left rows: clear them.
          replace: run.mayHoldRows || attempt > 1,
          keyRange: run.sel.keyRange,
          stagingDatabase: stagingDatabases[worker] ?? null,
          checkHash: !args.skipVerify,
          names: run.names,
          format: args.format,
          method,
          signal,
          rate: throttle.rate,
          onProgress: (rows, bytes) => emit({ type: 'chunk-progress', database, table, index: chunk.index, worker, rows, bytes }),
          onCleared: (rowsDeleted) => emit({ type: 'range-cleared', database, table, index: chunk.index, rowsDeleted }),
          afterCommit: args.hooks?.afterChunkCommitted ? () => args.hooks!.afterChunkCommitted!({ database, table, index: chunk.index }) : undefined,
        }), (attempt, error) => warn('CHUNK_RETRIED', `${database}.${table} chunk ${chunk.index}: ${fromDriverError(error, 'loading').message}; retrying (attempt ${attempt + 1})`, { database, table }));
      } catch (error) {
        throw loadError(error, chunk, run);
      } finally {
        run.inFlight--;
        if (opening) run.gate = 'open';
      }
      await jr.append({ type: 'chunk', database, table, index: chunk.index, rows: loaded.rows, bytes: loaded.bytes });
      rowsLoaded += loaded.rows;
      bytesLoaded += loaded.bytes;
      run.rows += loaded.rows;
      emit({ type: 'chunk-finished', database, table, index: chunk.index, worker, rows: loaded.rows, bytes: loaded.bytes, durationMs: loaded.durationMs });
      run.remaining--;
      if (run.remaining === 0) await finishTable(run, conn);
    },
  }).finally(() => throttle.close());
  return { rowsLoaded, bytesLoaded };
}

/** How this run starts: fresh, continuing the journal's restore, or the not-begun one again from the start. */
interface ResumeDecision {
  state: JournalState;
  resumed: boolean;
  /** Replace what exists: asked now, or asked by the attempt being resumed. */
  dropExisting: boolean;
  /** The attempt continued (resumed), or null for a new one. */
  attempt: string | null;
  /** `--resume` of an attempt that never began: it is run from the start. */
  restarted: boolean;
}

function decideResume(args: { options: RestoreOptions; plan: RestorePlanRecord; progress: RestoreProgress; journalFile: string }): ResumeDecision {
  const { options, plan, progress, journalFile } = args;
  const fresh: ResumeDecision = { state: new JournalState(), resumed: false, dropExisting: options.dropExisting, attempt: null, restarted: false };
  if (options.resume) {
    switch (progress.kind) {
      case 'none':
        throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume: no restore journal at ${journalFile} (same --from, --target and --rename as the interrupted run?); a restore stopped before it wrote one changed nothing: run it again without --resume`, { details: { reason: 'NO_JOURNAL' } });
      case 'finished':
        throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume: the restore journaled at ${journalFile} finished (begun ${progress.journal.beganAt ?? 'at an unknown time'}, finished ${progress.journal.finishedAt ?? 'at an unknown time'}), and no later restore into this target got as far as saving what it was asked (one stopped that early changed nothing: run it again without --resume)`, { details: { reason: 'ALREADY_FINISHED' } });
      case 'not-begun':
        // Stopped before its first change: running it from the start is what resuming it means.
        refuseOtherPlan(plan, progress.attempt.plan);
        return { ...fresh, dropExisting: progress.attempt.dropExisting, restarted: true };
      case 'unfinished':
        refuseOtherPlan(plan, progress.journal.plan!);
        return { state: progress.journal, resumed: true, dropExisting: progress.attempt?.dropExisting ?? false, attempt: progress.attempt?.id ?? null, restarted: false };
    }
  }
  const unfinished = progress.kind === 'unfinished' || (progress.kind === 'not-begun' && progress.journal !== null && !progress.journal.finished);
  if (unfinished && !options.dropExisting) {
    throw new ParadumpError('UNFINISHED_RESTORE', `a restore into this target was interrupted (journal ${journalFile}): use --resume to continue it, or --drop-existing to start over`, { details: { reason: 'UNFINISHED_RESTORE', journal: journalFile } });
  }
  return fresh;
}

/** A resume promises what the interrupted run promised; PLAN_DIFFERS names what differs. */
function refuseOtherPlan(plan: RestorePlanRecord, previous: RestorePlanRecord): void {
  const differs = (Object.keys(plan) as (keyof RestorePlanRecord)[]).filter((key) => JSON.stringify(plan[key] ?? null) !== JSON.stringify(previous[key] ?? null));
  const extra = Object.keys(previous).filter((key) => !(key in plan) && previous[key as keyof RestorePlanRecord] !== undefined);
  if (differs.length + extra.length === 0) return;
  const what = [...differs, ...extra].map((k) => (k === 'manifestSha256' ? 'the dump (manifest.json changed)' : k === 'deferIndexes' ? `deferIndexes (it was ${previous.deferIndexes ? 'on: drop --no-defer-indexes' : 'off: add --no-defer-indexes'})` : k)).join(', ');
  throw new ParadumpError('BAD_OPTION', `the interrupted restore was started with other ${what}; resume with the same options`, { details: { reason: 'PLAN_DIFFERS', fields: [...differs, ...extra] } });
}

interface Conflict {
  kind: 'table' | 'view' | 'sequence' | 'trigger' | 'procedure' | 'function' | 'event';
  database: string;
  name: string;
}

/** Target tables and objects this restore would create that exist already (a resumed run's own are not conflicts). */
async function findConflicts(ctl: TargetConnection, selection: Selection, state: JournalState | null): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const db of selection.databases) {
    const target = db.targetDatabase;
    const rows = await ctl.query<{ name: string; type: string }>('SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [target]);
    const existing = new Map(rows.map((r) => [r.name, r.type]));
    const ours = (name: string, type: string) => state !== null && (state.deferredOf(db.record.name, name) !== undefined || state.isTableCreating(db.record.name, name) || state.isObjectCreating(db.record.name, type, name));
    const kindOf = (type: string): Conflict['kind'] => (type === 'VIEW' ? 'view' : type === 'SEQUENCE' ? 'sequence' : 'table');
    for (const t of selection.tables.filter((t) => t.record.database === db.record.name)) {
      const type = existing.get(t.record.table);
      if (type !== undefined && !ours(t.record.table, 'table')) out.push({ kind: kindOf(type), database: target, name: t.record.table });
    }
    for (const o of [...db.sequences, ...db.objects]) {
      if (state?.isObjectCreating(db.record.name, o.type, o.name)) continue;
      if (o.type === 'sequence' || o.type === 'view') {
        const type = existing.get(o.name);
        if (type !== undefined) out.push({ kind: kindOf(type), database: target, name: o.name });
        continue;
      }
      const sql =
        o.type === 'trigger'
          ? 'SELECT 1 AS x FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME = ?'
          : o.type === 'event'
            ? 'SELECT 1 AS x FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? AND EVENT_NAME = ?'
            : `SELECT 1 AS x FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_NAME = ? AND ROUTINE_TYPE = '${o.type === 'procedure' ? 'PROCEDURE' : 'FUNCTION'}'`;
      if ((await ctl.query(sql, [target, o.name])).length > 0) out.push({ kind: o.type, database: target, name: o.name });
    }
  }
  return out;
}

async function dropConflicts(ctl: TargetConnection, conflicts: readonly Conflict[]): Promise<void> {
  // Objects first (a trigger goes with its table anyway), then views, then tables.
  const order: Conflict['kind'][] = ['trigger', 'event', 'procedure', 'function', 'view', 'table', 'sequence'];
  for (const kind of order) {
    for (const c of conflicts.filter((x) => x.kind === kind)) {
      await ctl.exec(`DROP ${kind.toUpperCase()} IF EXISTS ${qualified(c.database, c.name)}`);
    }
  }
}

async function createDatabase(ctl: TargetConnection, db: SelectedDatabase, warn: (code: string, message: string, where?: { database?: string }) => void): Promise<void> {
  const { charset, collation } = db.record;
  if (!/^[A-Za-z0-9_]+$/.test(charset) || !/^[A-Za-z0-9_]+$/.test(collation)) throw new ParadumpError('MANIFEST_INVALID', `database ${db.record.name}: unexpected charset/collation ${charset}/${collation}`);
  const [existing] = await ctl.query<{ charset: string; collation: string }>(
    'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [db.targetDatabase],
  );
  if (existing) {
    if (existing.charset !== charset || existing.collation !== collation) {
      warn('DATABASE_CHARSET_DIFFERS', `target database ${db.targetDatabase} exists with ${existing.charset}/${existing.collation}; the dumped one has ${charset}/${collation} (left as it is)`, { database: db.record.name });
    }
    return;
  }
  await ctl.exec(`CREATE DATABASE IF NOT EXISTS ${quoteId(db.targetDatabase)} CHARACTER SET ${charset} COLLATE ${collation}`);
}

async function resetSession(conn: TargetConnection): Promise<void> {
  for (const sql of RESTORE_SESSION_SQL) await conn.exec(sql);
}

async function createSequence(ctl: TargetConnection, files: { dir: string; key: DumpKey | null }, db: SelectedDatabase, seq: ObjectRecord): Promise<void> {
  const statements = parseSequenceFile(seq.file, await readSmallFile(files.dir, seq.file, files.key), seq.name);
  await ctl.use(db.targetDatabase);
  try {
    for (const s of statements) await ctl.execBytes(s);
  } catch (error) {
    throw fromDriverError(error, `creating sequence ${db.targetDatabase}.${seq.name} (${seq.file})`);
  } finally {
    await resetSession(ctl);
  }
}

async function prepareTable(args: {
  ctl: TargetConnection;
  dir: string;
  key: DumpKey | null;
  run: TableRun;
  state: JournalState;
  resumed: boolean;
  partial: boolean;
  deferIndexes: boolean;
  journal: RestoreJournal;
  emit: (e: RestoreEvent) => void;
  warn: (code: string, message: string, where?: { database?: string; table?: string }) => void;
}): Promise<void> {
  const { ctl, run, state } = args;
  const { database, table } = run.sel.record;
  const target = qualified(run.sel.targetDatabase, table);
  const done = args.resumed ? state.deferredOf(database, table) : undefined;
  if (done !== undefined) {
    run.deferred = done;
    return;
  }
  if (args.partial) {
    const [exists] = await ctl.query('SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [run.sel.targetDatabase, table]);
    if (exists) {
      const triggers = await ctl.query<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?', [run.sel.targetDatabase, table]);
      if (triggers.length > 0) {
        args.warn('TRIGGERS_FIRE', `${target} has triggers (${triggers.map((t) => t.name).join(', ')}); they fire for the rows this partial restore deletes and inserts`, { database, table });
      }
      await args.journal.append({ type: 'table-created', database, table, deferred: [] });
      return;
    }
  }
  const schema = parseTableSchema(run.sel.record.schemaFile, await readSmallFile(args.dir, run.sel.record.schemaFile, args.key), table);
  const split = args.deferIndexes ? deferSecondaryIndexes(schema.create) : { create: schema.create, deferred: [] };
  await args.journal.append({ type: 'table-creating', database, table });
  await ctl.use(run.sel.targetDatabase);
  try {
    // A table this restore began to create before a crash: it holds nothing journaled.
    if (args.resumed && state.isTableCreating(database, table)) await ctl.exec(`DROP TABLE IF EXISTS ${quoteId(table)}`);
    for (const s of schema.setup) await ctl.exec(s);
    await ctl.exec(split.create);
  } catch (error) {
    throw fromDriverError(error, `creating table ${target} (${run.sel.record.schemaFile})`);
  } finally {
    await resetSession(ctl);
  }
  run.deferred = split.deferred;
  await args.journal.append({ type: 'table-created', database, table, deferred: split.deferred });
  args.emit({ type: 'table-created', database, table, targetDatabase: run.sel.targetDatabase, deferredIndexes: split.deferred.length });
}

/** Adds the deferred indexes that are not there yet (a crash may have left some built). */
async function addDeferredIndexes(conn: TargetConnection, run: TableRun): Promise<void> {
  const rows = await conn.query<{ name: string }>('SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [run.sel.targetDatabase, run.sel.record.table]);
  const present = new Set(rows.map((r) => r.name));
  const missing = run.deferred.filter((d) => !present.has(indexName(d) ?? ''));
  if (missing.length === 0) return;
  await conn.use(run.sel.targetDatabase);
  try {
    await conn.exec(addIndexesSql(run.sel.record.table, missing));
  } catch (error) {
    // A killed run's ALTER may have finished on the server meanwhile.
    if (driverErrno(error) === ER.DUP_KEYNAME) return addDeferredIndexes(conn, run);
    throw fromDriverError(error, `adding the deferred indexes of ${qualified(run.sel.targetDatabase, run.sel.record.table)}`);
  }
}

/**
 * Connections of an interrupted run may still be executing on the server (the server finishes a
 * statement even after its client is gone): kill them and wait until they are gone, so a cleared
 * range cannot be refilled behind our back.
 */
async function killLeftovers(ctl: TargetConnection, state: JournalState, warn: (code: string, message: string) => void): Promise<void> {
  const ids = [...state.threadIds].filter((id) => id !== ctl.threadId);
  if (ids.length === 0) return;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const alive = await ctl.query<{ id: number | string; command: string }>(`SELECT ID AS id, COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID IN (${ids.map((i) => Number(i)).join(',')})`);
    if (alive.length === 0) return;
    for (const a of alive) {
      await ctl.exec(`KILL CONNECTION ${Number(a.id)}`).catch(() => undefined);
    }
    if (Date.now() > deadline) {
      warn('LEFTOVER_CONNECTIONS', `connections ${alive.map((a) => a.id).join(', ')} of the interrupted restore are still on the server`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createObjects(args: {
  ctl: TargetConnection;
  dir: string;
  key: DumpKey | null;
  selection: Selection;
  state: JournalState;
  resumed: boolean;
  disableEvents: boolean;
  journal: RestoreJournal;
  emit: (e: RestoreEvent) => void;
  warn: (code: string, message: string, where?: { database?: string }) => void;
  signal: AbortSignal | undefined;
}): Promise<number> {
  const { ctl, state } = args;
  let pending = args.selection.databases.flatMap((db) => db.objects.filter((o) => !(args.resumed && state.isObjectDone(db.record.name, o.type, o.name))).map((o) => ({ db, o })));
  let created = 0;
  // Objects come in dependency order within a database; one that reads another database's view or
  // function may have to wait for it: retry those in passes until a pass makes no progress.
  while (pending.length > 0) {
    const retry: typeof pending = [];
    let firstError: unknown = null;
    for (const { db, o } of pending) {
      args.signal?.throwIfAborted();
      const where = `${o.type} ${qualified(db.targetDatabase, o.name)} (${o.file})`;
      const file = parseObjectFile(o.file, await readSmallFile(args.dir, o.file, args.key));
      // Rewritten before anything is sent: an event created enabled could fire before an ALTER.
      const disabled = args.disableEvents && o.type === 'event' ? disableEvent(o.file, file.definition) : null;
      await args.journal.append({ type: 'object-creating', database: db.record.name, objectType: o.type, name: o.name });
      try {
        await ctl.use(db.targetDatabase);
        if (args.resumed && state.isObjectCreating(db.record.name, o.type, o.name)) {
          await ctl.exec(`DROP ${o.type.toUpperCase()} IF EXISTS ${quoteId(o.name)}`);
        }
        for (const s of file.setup) await ctl.exec(s);
        const result = await ctl.execBytes(disabled?.definition ?? file.definition);
        if (result.warningStatus > 0) {
          const notes = await ctl.query<{ Level: string; Code: number; Message: string }>('SHOW WARNINGS');
          for (const n of notes) args.warn('OBJECT_WARNING', `${where}: ${n.Level} ${n.Code}: ${n.Message}`, { database: db.record.name });
        }
      } catch (error) {
        const errno = driverErrno(error);
        if (errno === ER.NO_SUCH_TABLE || errno === ER.SP_DOES_NOT_EXIST || errno === ER.VIEW_INVALID) {
          retry.push({ db, o });
          firstError ??= fromDriverError(error, `creating ${where}`);
          continue;
        }
        throw fromDriverError(error, `creating ${where}`);
      } finally {
        await resetSession(ctl);
      }
      await args.journal.append({ type: 'object', database: db.record.name, objectType: o.type, name: o.name });
      if (disabled?.wasEnabled) args.warn('EVENT_DISABLED', `${where} was enabled in the dump and is created DISABLED; ALTER EVENT ${qualified(db.targetDatabase, o.name)} ENABLE runs it`, { database: db.record.name });
      created++;
      args.emit({ type: 'object-created', database: db.record.name, objectType: o.type, name: o.name });
    }
    if (retry.length === pending.length) throw firstError;
    pending = retry;
  }
  return created;
}

function loadError(error: unknown, chunk: ChunkRecord, run: TableRun): ParadumpError {
  const where = `loading ${chunk.file} into ${qualified(run.sel.targetDatabase, run.sel.record.table)}`;
  if (isParadumpError(error)) return error;
  if (driverErrno(error) === ER.NET_PACKET_TOO_LARGE) {
    return new ParadumpError('QUERY_FAILED', `${where}: a statement is larger than the target's max_allowed_packet; raise it (SET GLOBAL max_allowed_packet = 1073741824) and resume`, { cause: error, details: { reason: 'PACKET_TOO_LARGE' } });
  }
  return fromDriverError(error, where);
}

function toRestoreError(error: unknown, signal: AbortSignal | undefined): ParadumpError {
  if (signal?.aborted) return new ParadumpError('ABORTED', 'the restore was cancelled; finished chunks are journaled, continue with --resume', { cause: error });
  if (isParadumpError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return new ParadumpError('DISK_FULL', 'no space left for the restore journal', { cause: error });
  return fromDriverError(error, 'restoring');
}


/**
 * Retries a chunk load the server rolled back for a deadlock or lock wait timeout (the load is one
 * transaction, or replaces its range first, so a retry is exact).
 */
async function withRetry<T>(work: (attempt: number) => Promise<T>, onRetry: (attempt: number, error: unknown) => void, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const errno = driverErrno(error) ?? (isParadumpError(error) ? driverErrno(error.cause) : undefined);
      if (attempt >= attempts || (errno !== ER.LOCK_DEADLOCK && errno !== ER.LOCK_WAIT_TIMEOUT)) throw error;
      onRetry(attempt, error);
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
    }
  }
}


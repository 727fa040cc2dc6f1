import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Session, qualified, type RawValue } from '../mysql/session.ts';
import { parseServerUri, redactUri } from '../mysql/uri.ts';
import { isIntegerType, type ColumnInfo } from './column-kind.ts';
import { checkDumpPrivileges } from './check-privileges.ts';
import { chooseChunkKey, discover, type DatabaseInfo, type TableInfo } from './discover.ts';
import { driverErrno, ER, fromDriverError, isParadumpError, ParadumpError } from './errors.ts';
import type { DumpEvent, DumpEventListener } from './events.ts';
import { dumpPaths } from './file-names.ts';
import { Journal } from './journal.ts';
import { LockLedger } from './lock-ledger.ts';
import { Manifest, MANIFEST_FILE, MANIFEST_VERSION, type ChunkRecord, type DatabaseRecord, type KeyValue, type TableRecord } from './manifest.ts';
import { openConsistentSnapshots, type SnapshotPoint } from './open-snapshots.ts';
import { DumpOptions, type DumpOptionsInput } from './options.ts';
import { planChunks, type KeyProbe, type PlannedChunk } from './plan-chunks.ts';
import { keyValueFromRaw, orderBy, rangeCondition, type KeyColumn } from './range-sql.ts';
import { openReader } from './open-reader.ts';
import { writeChunk, type ChunkSpec } from './write-chunk.ts';
import { writeFileAtomic } from './write-file-atomic.ts';
import { writeDatabaseSchema, writeTableSchema } from './write-schema.ts';

export const TOOL_VERSION = '0.1.0';

export interface DumpControls {
  /** Receives every event, synchronously, in order. */
  onEvent?: DumpEventListener;
  /** Aborting stops the workers, leaves finished chunks and their journal, and rejects with ABORTED. */
  signal?: AbortSignal;
  /** Test hooks: pause points for race tests. */
  hooks?: { afterDiscovery?: () => Promise<void>; afterPlanning?: () => Promise<void> };
}

/** A table as the workers see it: what to read and what has been written. */
interface TablePlan {
  info: TableInfo;
  columns: ColumnInfo[];
  keyColumns: KeyColumn[];
  chunkIndex: string | null;
  schemaFile: string;
  chunks: PlannedChunk[];
  done: ChunkRecord[];
  skipped: { code: string; reason: string } | null;
}

interface ChunkTask {
  plan: TablePlan;
  chunk: PlannedChunk;
}

/** Rows of chunks are read in the snapshot; which dump resumed from which comes with resume. */
const FIRST_SNAPSHOT = 0;

/**
 * Dumps databases in parallel, chunked by key range, from one consistent snapshot, and writes
 * `manifest.json` last. Resolves with the manifest; rejects with a ParadumpError.
 */
export async function dump(input: DumpOptionsInput, controls: DumpControls = {}): Promise<Manifest> {
  const options = parseOptions(input);
  const address = parseServerUri(options.source);
  const emit: DumpEventListener = (event) => controls.onEvent?.(event);
  const signal = controls.signal;
  const started = new Date();
  const startedTick = performance.now();
  const outDir = path.resolve(options.outDir);
  const sessions: Session[] = [];
  let journal: Journal | null = null;

  try {
    await prepareOutputDir(outDir);
    const control = await Session.open(address, { label: `connecting to ${redactUri(address)}` });
    sessions.push(control);
    emit({ type: 'run-started', at: started.toISOString(), source: redactUri(address), flavor: control.flavor.kind, version: control.flavor.versionString });
    await control.exec("SET SESSION sql_mode = '', sql_quote_show_create = 1, time_zone = '+00:00'");
    await checkDumpPrivileges(control);

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
    await controls.hooks?.afterDiscovery?.();
    signal?.throwIfAborted();

    const warnings: Manifest['warnings'] = [];
    const warn = (w: Manifest['warnings'][number]) => {
      warnings.push(w);
      emit({ type: 'warning', ...w });
    };

    // Schema and plans are read before any lock: locks are taken as late as possible.
    const databaseRecords: DatabaseRecord[] = [];
    const plans: TablePlan[] = [];
    for (const db of databases) {
      const schema = await writeDatabaseSchema({ session: control, outDir, db: options.objects ? db : { ...db, views: [], triggers: [], routines: [], events: [] } });
      for (const message of schema.warnings) warn({ code: 'OBJECT_SKIPPED', message, database: db.name });
      databaseRecords.push({ name: db.name, charset: schema.charset, collation: schema.collation, schemaFile: schema.schemaFile, objects: schema.objects });
      for (const table of db.tables) {
        signal?.throwIfAborted();
        plans.push(await planTable({ control, outDir, table, chunkRows: options.chunkRows, emit, warn, signal }));
      }
    }
    await controls.hooks?.afterPlanning?.();
    signal?.throwIfAborted();

    const tasks = plans
      .filter((p) => !p.skipped)
      .sort((a, b) => b.info.bytesEstimate - a.info.bytesEstimate)
      .flatMap((plan) => plan.chunks.map((chunk) => ({ plan, chunk })));
    const workerCount = Math.max(1, Math.min(options.threads, tasks.length));
    const workers = await Promise.all(Array.from({ length: workerCount }, () => openReader(address)));
    sessions.push(...workers);
    journal = await Journal.open(outDir);
    const openJournal = journal;

    const runTasks = (list: ChunkTask[]) =>
      runPool({
        workers,
        tasks: list,
        signal,
        run: (task, worker, workerIndex) => dumpChunk({ task, worker, workerIndex, outDir, options, journal: openJournal, emit, warn, signal }),
      });

    // Non-transactional tables have no snapshot: they are read while commits are still blocked, and
    // the lock goes the moment they are done.
    const nonTransactional = tasks.filter((t) => !t.plan.info.transactional);
    const ledger = new LockLedger(emit);
    const point: SnapshotPoint = await openConsistentSnapshots({
      control,
      workers,
      ledger,
      lockWaitTimeout: options.lockWaitTimeout,
      whileLocked: nonTransactional.length > 0 ? () => runTasks(nonTransactional) : undefined,
    });
    const consistent = true;
    emit({ type: 'consistency', mode: options.lock, consistent, binlog: point.binlog, gtid: point.gtid });

    await runTasks(tasks.filter((t) => t.plan.info.transactional));
    await Promise.all(workers.map((w) => w.exec('COMMIT')));

    const tables: TableRecord[] = plans.map((p) => tableRecord(p));
    const finished = new Date();
    const manifest: Manifest = {
      format: 'paradump',
      version: MANIFEST_VERSION,
      tool: { name: 'paradump', version: TOOL_VERSION },
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      source: { flavor: control.flavor.kind, version: control.flavor.versionString, host: address.host, port: address.port },
      options: {
        threads: options.threads,
        chunkRows: options.chunkRows,
        statementBytes: options.statementBytes,
        compress: options.compress,
        lock: options.lock,
        databases: options.databases,
        tables: options.tables,
        excludeTables: options.excludeTables,
      },
      consistency: {
        mode: options.lock,
        consistent,
        note: point.binlog
          ? `All tables were read at one point in time, binlog ${point.binlog.file}:${point.binlog.position}; commits were blocked only while the snapshots opened.`
          : 'All tables were read at one point in time; the server has no binary log, so no point-in-time recovery from this dump.',
        binlog: point.binlog,
        gtid: point.gtid,
      },
      locks: ledger.records,
      databases: databaseRecords,
      tables,
      totals: {
        tables: tables.filter((t) => !t.skipped).length,
        skippedTables: tables.filter((t) => t.skipped).length,
        chunks: tables.reduce((a, t) => a + t.chunks.length, 0),
        rows: tables.reduce((a, t) => a + t.rows, 0),
        bytes: tables.reduce((a, t) => a + t.bytes, 0),
      },
      warnings,
    };
    const checked = Manifest.parse(manifest);
    await writeFileAtomic(outDir, MANIFEST_FILE, JSON.stringify(checked, null, 2) + '\n');
    emit({
      type: 'run-finished',
      at: finished.toISOString(),
      rows: checked.totals.rows,
      bytes: checked.totals.bytes,
      chunks: checked.totals.chunks,
      tables: checked.totals.tables,
      skippedTables: checked.totals.skippedTables,
      durationMs: Math.round(performance.now() - startedTick),
    });
    return checked;
  } catch (error) {
    const failure = toParadumpError(error, signal);
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    await journal?.close().catch(() => undefined);
    await Promise.all(sessions.map((s) => s.close().catch(() => s.destroy())));
  }
}

function parseOptions(input: DumpOptionsInput): DumpOptions {
  const parsed = DumpOptions.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ParadumpError('BAD_OPTION', where ? `${where}: ${issue.message}` : issue.message, { details: { path: where } });
  }
  return parsed.data;
}

function toParadumpError(error: unknown, signal: AbortSignal | undefined): ParadumpError {
  if (signal?.aborted) return new ParadumpError('ABORTED', 'the dump was cancelled; finished chunks are kept in the journal', { cause: error });
  if (isParadumpError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return new ParadumpError('DISK_FULL', 'the output disk is full; the dump is incomplete (no manifest was written)', { cause: error });
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new ParadumpError('OUTPUT_UNWRITABLE', `cannot write the output directory (${code})`, { cause: error });
  return fromDriverError(error, 'dumping');
}

async function prepareOutputDir(outDir: string): Promise<void> {
  try {
    const entries = await readdir(outDir);
    if (entries.length > 0) throw new ParadumpError('OUTPUT_NOT_EMPTY', `output directory ${outDir} is not empty (${entries.length} entries); choose an empty or new directory`);
  } catch (error) {
    if (isParadumpError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ParadumpError('OUTPUT_UNWRITABLE', `output path ${outDir} is a file, not a directory`);
    if (code !== 'ENOENT') throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot read output directory ${outDir} (${code})`, { cause: error });
  }
  try {
    await mkdir(outDir, { recursive: true });
    const probe = path.join(outDir, '.write-test');
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new ParadumpError('DISK_FULL', `no space left in ${outDir}`, { cause: error });
    throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot write to output directory ${outDir} (${code ?? 'error'})`, { cause: error });
  }
}

/** Answers the planner's questions with SQL on the control connection. */
function sqlProbe(session: Session, table: TableInfo, key: { index: string; columns: ColumnInfo[] } | null): KeyProbe {
  const from = qualified(table.database, table.name);
  if (!key) {
    return { keyKind: 'none', integerBounds: async () => null, countRows: async () => 0n, keyAtOffset: async () => null };
  }
  const cols = key.columns;
  const force = key.index === 'PRIMARY' ? '' : ` FORCE INDEX (${'`' + key.index.replace(/`/g, '``') + '`'})`;
  const integer = cols.length === 1 && isIntegerType(cols[0]!.dataType);
  const asKey = (row: RawValue[]): KeyValue[] => cols.map((c, i) => keyValueFromRaw(c, row[i] ?? null));
  return {
    keyKind: integer ? 'integer' : 'other',
    async integerBounds() {
      const id = '`' + cols[0]!.name.replace(/`/g, '``') + '`';
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

async function planTable(args: {
  control: Session;
  outDir: string;
  table: TableInfo;
  chunkRows: number;
  emit: (e: DumpEvent) => void;
  warn: (w: Manifest['warnings'][number]) => void;
  signal: AbortSignal | undefined;
}): Promise<TablePlan> {
  const { control, table } = args;
  const key = chooseChunkKey(table);
  const columns = table.columns.filter((c) => !c.generated);
  const plan: TablePlan = {
    info: table,
    columns,
    keyColumns: key?.columns ?? [],
    chunkIndex: key?.index ?? null,
    schemaFile: dumpPaths.tableSchema(table.database, table.name),
    chunks: [],
    done: [],
    skipped: null,
  };
  try {
    plan.schemaFile = await writeTableSchema({ session: control, outDir: args.outDir, database: table.database, table: table.name });
    plan.chunks = await planChunks({ probe: sqlProbe(control, table, key), chunkRows: args.chunkRows, signal: args.signal });
  } catch (error) {
    if (!isTableGone(error)) throw error;
    skipTable(plan, error, args);
    return plan;
  }
  args.emit({
    type: 'table-planned',
    database: table.database,
    table: table.name,
    chunkKey: plan.keyColumns.map((c) => c.name),
    rowsEstimate: table.rowsEstimate,
    bytesEstimate: table.bytesEstimate,
    chunks: plan.chunks.map((c) => ({ index: c.index, lower: c.lower, upper: c.upper })),
  });
  return plan;
}

/** The table was dropped, renamed or redefined after discovery. */
function isTableGone(error: unknown): boolean {
  const errno = driverErrno(error) ?? (isParadumpError(error) ? driverErrno(error.cause) : undefined);
  return errno === ER.NO_SUCH_TABLE || errno === 1412 /* ER_TABLE_DEF_CHANGED */ || (isParadumpError(error) && error.code === 'TABLE_DROPPED');
}

function skipTable(plan: TablePlan, error: unknown, args: { emit: (e: DumpEvent) => void; warn: (w: Manifest['warnings'][number]) => void }): void {
  if (plan.skipped) return;
  const text = fromDriverError(error, `${plan.info.database}.${plan.info.name}`).message;
  const reason = `table disappeared or changed after discovery: ${text}`;
  plan.skipped = { code: 'TABLE_DROPPED', reason };
  args.emit({ type: 'table-skipped', database: plan.info.database, table: plan.info.name, code: 'TABLE_DROPPED', reason });
  args.warn({ code: 'TABLE_DROPPED', message: reason, database: plan.info.database, table: plan.info.name });
}

async function dumpChunk(args: {
  task: ChunkTask;
  worker: Session;
  workerIndex: number;
  outDir: string;
  options: DumpOptions;
  journal: Journal;
  emit: (e: DumpEvent) => void;
  warn: (w: Manifest['warnings'][number]) => void;
  signal: AbortSignal | undefined;
}): Promise<void> {
  const { task, worker, workerIndex, emit } = args;
  const { plan, chunk } = task;
  if (plan.skipped) return;
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
    file: dumpPaths.chunk(database, table, chunk.index, args.options.compress),
  };
  emit({ type: 'chunk-started', database, table, index: chunk.index, worker: workerIndex });
  let lastProgress = 0;
  try {
    const result = await writeChunk({
      session: worker,
      outDir: args.outDir,
      spec,
      compress: args.options.compress,
      compressLevel: args.options.compressLevel,
      statementBytes: args.options.statementBytes,
      signal: args.signal,
      onRows: (rows) => {
        const now = performance.now();
        if (now - lastProgress < 250) return;
        lastProgress = now;
        emit({ type: 'chunk-progress', database, table, index: chunk.index, worker: workerIndex, rows });
      },
    });
    const record: ChunkRecord = { index: chunk.index, file: spec.file, lower: chunk.lower, upper: chunk.upper, ...result, snapshot: FIRST_SNAPSHOT, worker: workerIndex };
    if (plan.skipped) return;
    await args.journal.append({ type: 'chunk', database, table, ...record });
    plan.done.push(record);
    emit({ type: 'chunk-finished', database, table, index: chunk.index, worker: workerIndex, rows: result.rows, bytes: result.bytes, sha256: result.sha256, durationMs: result.durationMs, file: spec.file });
    if (plan.done.length === plan.chunks.length) {
      emit({ type: 'table-finished', database, table, rows: sum(plan.done, 'rows'), bytes: sum(plan.done, 'bytes'), chunks: plan.done.length });
    }
  } catch (error) {
    if (!isTableGone(error) || args.signal?.aborted) throw error;
    skipTable(plan, error, args);
    // Its files are not part of the dump: a skipped table has no chunks.
    await Promise.all(plan.done.map((c) => rm(path.join(args.outDir, c.file), { force: true })));
    plan.done = [];
  }
}

function sum(records: readonly ChunkRecord[], field: 'rows' | 'bytes'): number {
  return records.reduce((a, r) => a + r[field], 0);
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
    chunkKey: p.keyColumns.map((c) => c.name),
    chunkKeyColumns: p.keyColumns.map((c) => ({ name: c.name, encoding: c.encoding, charset: c.charset })),
    chunkIndex: p.chunkIndex,
    rows: sum(chunks, 'rows'),
    bytes: sum(chunks, 'bytes'),
    chunks,
    skipped: p.skipped,
  };
}

/**
 * Runs tasks on a fixed set of workers, each pulling the next task when free. The first failure
 * stops the others from starting new tasks and is rethrown once all have stopped.
 */
async function runPool<T>(args: { workers: readonly Session[]; tasks: readonly T[]; signal: AbortSignal | undefined; run: (task: T, worker: Session, index: number) => Promise<void> }): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  await Promise.all(
    args.workers.map(async (worker, index) => {
      while (failure === null && next < args.tasks.length) {
        args.signal?.throwIfAborted();
        const task = args.tasks[next++]!;
        try {
          await args.run(task, worker, index);
        } catch (error) {
          failure ??= error;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
}

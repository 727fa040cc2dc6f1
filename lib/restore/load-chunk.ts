import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { driverErrno, ER } from '../mysql/driver-error.ts';
import { ParadumpError } from '../core/errors.ts';
import type { ByteHasher } from '../core/sha256-thread.ts';
import type { ChunkRecord, KeyValue, TableRecord } from '../core/manifest.ts';
import type { DataFormat } from '../core/dump-options.ts';
import { rangeCondition } from '../core/range-sql.ts';
import { DATA_PREAMBLE } from '../core/data-file.ts';
import { quoteId, qualified } from '../core/sql-names.ts';
import { readDumpFile } from './dump-file.ts';
import type { DumpKey } from '../core/dump-key.ts';
import type { EncryptedFileLabel } from '../core/encrypted-file.ts';
import type { ByteRate } from '../throttle/byte-rate.ts';
import { loadDataSql, rowCountError, type LoadMethod } from './load-data.ts';
import { SqlToTsv } from './sql-to-tsv.ts';
import { splitStatements, StatementSplitter } from './split-statements.ts';
import type { ConnectionNames, ExecResult, TargetConnection } from './target-connection.ts';

/**
 * The only statements besides INSERTs a data file may hold: the dump's own preamble. It is checked
 * and not run: the connection already has those settings (`RESTORE_SESSION_SQL`), with the
 * charset and `unique_checks` the loader chooses instead of the file's.
 */
const PREAMBLE = new Set(splitStatements(DATA_PREAMBLE).map((s) => s.toString('latin1')));

export interface LoadedChunk {
  /** Rows inserted into the target. */
  rows: number;
  /** Bytes of the file as stored. */
  bytes: number;
  sha256: string;
  durationMs: number;
}

/** The WHERE of a chunk's key range on the target (whole table when the table has no key). */
export function chunkWhere(table: TableRecord, chunk: Pick<ChunkRecord, 'lower' | 'upper'>): string {
  return table.chunkKeyColumns.length === 0 ? '1=1' : rangeCondition(table.chunkKeyColumns, chunk.lower, chunk.upper);
}

/**
 * Streams one data file into the current database of `conn`: read → hash → decompress → split into
 * statements → run them one after another (backpressure all the way, memory flat). Each statement
 * must be the dump's preamble or `INSERT INTO <this table> (` — a data file can only add rows to
 * its own table. Checks the file's sha256 and the inserted row count against the manifest; throws
 * (before the caller commits) when either differs.
 */
export async function streamChunkFile(args: {
  conn: TargetConnection;
  dir: string;
  /** An encrypted dump's key (the chunk's `encrypted`). */
  key?: DumpKey | null;
  table: TableRecord;
  chunk: ChunkRecord;
  /** Check the stored file's sha256 against the manifest. */
  checkHash: boolean;
  /** The connection charset the INSERTs run under (`loadNames`); the files are written for utf8mb4. */
  names: ConnectionNames;
  /** The dump's format (`manifest.options.format`). @default "sql" */
  format?: DataFormat;
  /** How rows go in (`chooseLoadMethod`); a tsv dump always loads with LOAD DATA. @default "insert" */
  method?: LoadMethod;
  signal?: AbortSignal | undefined;
  /** Shared by the restore's loaders (`maxRate`). */
  rate?: ByteRate | null | undefined;
  onProgress?: (rows: number, bytes: number) => void;
}): Promise<LoadedChunk> {
  if (args.format === 'tsv' || args.method === 'load-data') return streamTsvFile(args);
  const { conn, table, chunk } = args;
  const started = performance.now();
  const insertPrefix = Buffer.from(`INSERT INTO ${quoteId(table.table)} (`, 'utf8');
  const file = readDumpFile(args.dir, chunk.file, chunk.bytes, args.rate?.bytes(args.signal), decryptFor(args.key, table, chunk));
  const splitter = new StatementSplitter();
  let rows = 0;
  let lastProgress = 0;
  const run = new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(stmt: Buffer, _enc, done) {
      const isInsert = stmt.length > insertPrefix.length && stmt.subarray(0, insertPrefix.length).equals(insertPrefix);
      if (!isInsert) {
        if (PREAMBLE.has(stmt.toString('latin1'))) done();
        else {
          done(
            new ParadumpError('MANIFEST_INVALID', `${chunk.file}: unexpected statement in a data file of ${qualified(table.database, table.table)}: ${stmt.subarray(0, 60).toString('utf8').replace(/\s+/g, ' ')}`, {
              details: { reason: 'UNEXPECTED_STATEMENT', file: chunk.file },
            }),
          );
        }
        return;
      }
      conn.execBytes(stmt).then(
        (r) => {
          rows += r.affectedRows;
          const now = performance.now();
          if (args.onProgress && now - lastProgress > 250) {
            lastProgress = now;
            args.onProgress(rows, file.hasher.bytes);
          }
          done();
        },
        (error: unknown) => done(error as Error),
      );
    },
  });
  await conn.setNames(args.names);
  try {
    await pipeline([...file.stages, splitter, run], args.signal ? { signal: args.signal } : {});
  } catch (error) {
    file.stream.destroy();
    throw fileError(chunk, error);
  }
  const sha256 = await checkedDigest(file.hasher, chunk, args.checkHash);
  if (rows !== chunk.rows) {
    throw new ParadumpError('MANIFEST_INVALID', `data file ${chunk.file} inserted ${rows} rows; the manifest says ${chunk.rows}`, { details: { reason: 'ROW_COUNT', file: chunk.file, rows, expected: chunk.rows } });
  }
  return { rows, bytes: file.hasher.bytes, sha256, durationMs: Math.round(performance.now() - started) };
}

/**
 * A data file by `LOAD DATA LOCAL INFILE`, in one statement (read → hash → decompress → server; a SQL
 * file is rewritten to tsv lines on the way, `SqlToTsv`), with the same checks as INSERTs — sha256
 * against the manifest, rows stored against the chunk's row count (LOCAL turns duplicate keys into
 * skipped rows, so the count is what catches them) — before the caller commits.
 */
async function streamTsvFile(args: Parameters<typeof streamChunkFile>[0]): Promise<LoadedChunk> {
  const { conn, table, chunk } = args;
  const started = performance.now();
  let file: ReturnType<typeof readDumpFile> | null = null;
  // Rows are only counted by the server at the end: progress is estimated from the bytes read.
  const progress = args.onProgress
    ? setInterval(() => {
        const bytes = file?.hasher.bytes ?? 0;
        args.onProgress?.(chunk.bytes > 0 ? Math.floor((chunk.rows * bytes) / chunk.bytes) : 0, bytes);
      }, 250)
    : null;
  let result: ExecResult;
  try {
    result = await conn.loadLocal(
      loadDataSql(table),
      () => {
        file = readDumpFile(args.dir, chunk.file, chunk.bytes, args.rate?.bytes(args.signal), decryptFor(args.key, table, chunk));
        return args.format === 'tsv' ? file.stages : [...file.stages, new SqlToTsv(table, chunk)];
      },
      args.signal,
    );
  } catch (error) {
    throw fileError(chunk, error);
  } finally {
    if (progress) clearInterval(progress);
  }
  const hasher = (file as ReturnType<typeof readDumpFile> | null)?.hasher;
  if (!hasher) throw new ParadumpError('INTERNAL', `the target did not read ${chunk.file}`);
  const sha256 = await checkedDigest(hasher, chunk, args.checkHash);
  if (result.affectedRows !== chunk.rows) throw rowCountError(table, chunk, result.affectedRows, result.warningStatus);
  return { rows: result.affectedRows, bytes: hasher.bytes, sha256, durationMs: Math.round(performance.now() - started) };
}

/** The file's sha256, checked against the manifest when asked. */
async function checkedDigest(hasher: ByteHasher, chunk: ChunkRecord, check: boolean): Promise<string> {
  const sha256 = await hasher.digest();
  if (check && (sha256 !== chunk.sha256 || hasher.bytes !== chunk.bytes)) {
    throw new ParadumpError('CHECKSUM_MISMATCH', `data file ${chunk.file} does not match its sha256 in the manifest (changed after the check?)`, { details: { reason: 'CHECKSUM_MISMATCH', files: [chunk.file] } });
  }
  return sha256;
}

/** A failure while streaming a data file, in the engine's codes. */
function decryptFor(key: DumpKey | null | undefined, table: TableRecord, chunk: ChunkRecord): { key: DumpKey; label: EncryptedFileLabel } | null {
  if (!chunk.encrypted) return null;
  if (!key) throw new ParadumpError('KEY_REQUIRED', `data file ${chunk.file} is encrypted: give the dump's key`, { details: { file: chunk.file } });
  return { key, label: { file: chunk.file, chunk: { database: table.database, table: table.table, index: chunk.index } } };
}

function fileError(chunk: ChunkRecord, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new ParadumpError('FILES_MISSING', `data file ${chunk.file} is missing`, { details: { reason: 'FILES_MISSING', files: [chunk.file] }, cause: error });
  }
  if (isDecompressError(error)) {
    return new ParadumpError('CHECKSUM_MISMATCH', `data file ${chunk.file} cannot be decompressed: ${(error as Error).message}`, { details: { reason: 'CHECKSUM_MISMATCH', files: [chunk.file] }, cause: error });
  }
  const errno = driverErrno(error);
  if (errno === ER.LOCAL_INFILE_DISABLED_MARIADB || errno === ER.LOCAL_INFILE_DISABLED_MYSQL || errno === ER.NOT_ALLOWED_COMMAND) {
    return new ParadumpError('LOCAL_INFILE_DISABLED', `the target refused LOAD DATA LOCAL INFILE for ${chunk.file}: turn on local_infile there, or restore a dump made with --format sql, or load a SQL dump with --load-method insert`, { details: { reason: 'LOCAL_INFILE_DISABLED' }, cause: error });
  }
  return error;
}

function isDecompressError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_ZLIB' || /zstd|unknown frame|corrupt/i.test(String((error as Error | null)?.message ?? ''));
}

/**
 * Loads a chunk into `targetDatabase`. With `replace`, first deletes the chunk's key range there (a
 * chunk that was in flight when a restore died, or a partial restore into an existing table). On a
 * transactional table the delete and the load are one transaction, committed only if the file and
 * row count check out. With `keyRange`, only rows inside it are replaced: the chunk is loaded into a
 * staging table first and copied over by range.
 */
export async function loadChunk(args: {
  conn: TargetConnection;
  dir: string;
  key?: DumpKey | null;
  table: TableRecord;
  targetDatabase: string;
  chunk: ChunkRecord;
  replace: boolean;
  keyRange: { lower: KeyValue[] | null; upper: KeyValue[] | null } | null;
  /** Staging database for key-range loads (one per worker). */
  stagingDatabase: string | null;
  checkHash: boolean;
  names: ConnectionNames;
  format?: DataFormat;
  method?: LoadMethod;
  signal?: AbortSignal | undefined;
  /** Shared by the restore's loaders (`maxRate`). */
  rate?: ByteRate | null | undefined;
  onProgress?: (rows: number, bytes: number) => void;
  onCleared?: (rowsDeleted: number) => void;
  /** Runs after COMMIT, before the caller journals the chunk (tests simulate a crash here). */
  afterCommit?: () => Promise<void>;
}): Promise<LoadedChunk> {
  const { conn, table, chunk } = args;
  const transactional = table.transactional;
  const target = qualified(args.targetDatabase, table.table);

  if (args.keyRange) {
    if (!args.stagingDatabase) throw new ParadumpError('INTERNAL', 'a key-range load needs a staging database');
    const stage = qualified(args.stagingDatabase, table.table);
    await conn.exec(`CREATE TABLE IF NOT EXISTS ${stage} LIKE ${target}`);
    await conn.exec(`DELETE FROM ${stage}`);
    await conn.use(args.stagingDatabase);
    const loaded = await streamChunkFile({ ...args, onProgress: args.onProgress });
    const inRange = rangeCondition(table.chunkKeyColumns, args.keyRange.lower, args.keyRange.upper);
    const cols = table.columns.map((c) => quoteId(c)).join(', ');
    await conn.use(args.targetDatabase);
    if (transactional) await conn.exec('START TRANSACTION');
    try {
      const del = await conn.exec(`DELETE FROM ${target} WHERE (${chunkWhere(table, chunk)}) AND (${inRange})`);
      args.onCleared?.(del.affectedRows);
      const ins = await conn.exec(`INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${stage} WHERE ${inRange}`);
      if (transactional) await conn.exec('COMMIT');
      await args.afterCommit?.();
      return { ...loaded, rows: ins.affectedRows };
    } catch (error) {
      if (transactional) await conn.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  await conn.use(args.targetDatabase);
  if (transactional) await conn.exec('START TRANSACTION');
  try {
    if (args.replace) {
      const del = await conn.exec(`DELETE FROM ${quoteId(table.table)} WHERE ${chunkWhere(table, chunk)}`);
      args.onCleared?.(del.affectedRows);
    }
    const loaded = await streamChunkFile(args);
    if (transactional) await conn.exec('COMMIT');
    await args.afterCommit?.();
    return loaded;
  } catch (error) {
    if (transactional) await conn.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

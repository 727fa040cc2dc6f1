import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParadumpError } from '../engine/errors.ts';
import type { ChunkRecord, KeyValue, TableRecord } from '../engine/manifest.ts';
import { rangeCondition } from '../engine/range-sql.ts';
import { DATA_PREAMBLE } from '../engine/write-chunk.ts';
import { quoteId, qualified } from '../mysql/session.ts';
import { readDumpFile } from './dump-file.ts';
import { splitStatements, StatementSplitter } from './split-statements.ts';
import type { ConnectionNames, TargetConnection } from './target-connection.ts';

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
  table: TableRecord;
  chunk: ChunkRecord;
  /** Check the stored file's sha256 against the manifest. */
  checkHash: boolean;
  /** The connection charset the INSERTs run under (`loadNames`); the files are written for utf8mb4. */
  names: ConnectionNames;
  signal?: AbortSignal | undefined;
  onProgress?: (rows: number, bytes: number) => void;
}): Promise<LoadedChunk> {
  const { conn, table, chunk } = args;
  const started = performance.now();
  const insertPrefix = Buffer.from(`INSERT INTO ${quoteId(table.table)} (`, 'utf8');
  const file = readDumpFile(args.dir, chunk.file, chunk.bytes);
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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ParadumpError('FILES_MISSING', `data file ${chunk.file} is missing`, { details: { reason: 'FILES_MISSING', files: [chunk.file] }, cause: error });
    }
    if (isDecompressError(error)) {
      throw new ParadumpError('CHECKSUM_MISMATCH', `data file ${chunk.file} cannot be decompressed: ${(error as Error).message}`, { details: { reason: 'CHECKSUM_MISMATCH', files: [chunk.file] }, cause: error });
    }
    throw error;
  }
  const sha256 = await file.hasher.digest();
  if (args.checkHash && (sha256 !== chunk.sha256 || file.hasher.bytes !== chunk.bytes)) {
    throw new ParadumpError('CHECKSUM_MISMATCH', `data file ${chunk.file} does not match its sha256 in the manifest (changed after the check?)`, { details: { reason: 'CHECKSUM_MISMATCH', files: [chunk.file] } });
  }
  if (rows !== chunk.rows) {
    throw new ParadumpError('MANIFEST_INVALID', `data file ${chunk.file} inserted ${rows} rows; the manifest says ${chunk.rows}`, { details: { reason: 'ROW_COUNT', file: chunk.file, rows, expected: chunk.rows } });
  }
  return { rows, bytes: file.hasher.bytes, sha256, durationMs: Math.round(performance.now() - started) };
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
  table: TableRecord;
  targetDatabase: string;
  chunk: ChunkRecord;
  replace: boolean;
  keyRange: { lower: KeyValue[] | null; upper: KeyValue[] | null } | null;
  /** Staging database for key-range loads (one per worker). */
  stagingDatabase: string | null;
  checkHash: boolean;
  names: ConnectionNames;
  signal?: AbortSignal | undefined;
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

import { close as fsClose, fsync, open as fsOpen, write as fsWrite } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CompressStream } from 'zstd-napi';
import { quoteId, qualified, type Session } from '../mysql/session.ts';
import type { RowBatch } from '../mysql/stream-raw.ts';
import { selectExpression, type ColumnInfo } from './column-kind.ts';
import { ByteBuilder, RowEncoder } from './encode-values.ts';
import { ByteHasher, Sha256 } from './sha256-thread.ts';
import type { Compression, DataFormat, KeyValue } from './manifest.ts';
import { describeRange, orderBy, rangeCondition, type KeyColumn } from './range-sql.ts';
import { commentSafe } from './write-schema.ts';
import { insideDir } from './write-file-atomic.ts';

/** Session settings at the top of every data file: the values' literal forms depend on them. */
export const DATA_PREAMBLE =
  "/*!40101 SET NAMES utf8mb4 */;\nSET SESSION time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO', foreign_key_checks = 0, unique_checks = 0;\n";

export interface ChunkSpec {
  database: string;
  table: string;
  index: number;
  lower: KeyValue[] | null;
  upper: KeyValue[] | null;
  /** Columns in the INSERT (generated ones left out). */
  columns: ColumnInfo[];
  keyColumns: KeyColumn[];
  /** Index to read the range through (FORCE INDEX), null for the primary key or no key. */
  forceIndex: string | null;
  /** Relative path of the data file. */
  file: string;
}

export interface ChunkResult {
  rows: number;
  bytes: number;
  sha256: string;
  contentSha256: string;
  durationMs: number;
}

/** The SELECT that reads one chunk, in key order. */
export function chunkSelect(spec: Pick<ChunkSpec, 'database' | 'table' | 'columns' | 'keyColumns' | 'forceIndex' | 'lower' | 'upper'>): string {
  const cols = spec.columns.map((c) => selectExpression(c, quoteId(c.name))).join(', ');
  const force = spec.forceIndex ? ` FORCE INDEX (${quoteId(spec.forceIndex)})` : '';
  if (spec.keyColumns.length === 0) return `SELECT ${cols} FROM ${qualified(spec.database, spec.table)}`;
  return `SELECT ${cols} FROM ${qualified(spec.database, spec.table)}${force} WHERE ${rangeCondition(spec.keyColumns, spec.lower, spec.upper)} ORDER BY ${orderBy(spec.keyColumns)}`;
}

/**
 * Turns raw rows into multi-row INSERT statements of at most `statementBytes` (a row larger than that
 * gets a statement of its own), and hashes the encoded rows for verification: contentSha256 is the
 * sha256 of every row's `(v1,…,vn)` followed by `\n`, in chunk order, whatever the statement size.
 */
class InsertEncoder extends Transform {
  rows = 0;
  private readonly out = takeBuilder();
  /** Encoded rows for the content hash, hashed in batches rather than one update per row. */
  private readonly content = takeBuilder();
  private readonly contentHash = new Sha256();
  private readonly encoder: RowEncoder;
  private readonly prefix: Buffer;
  private readonly statementBytes: number;
  private inStatement = false;
  private statementLength = 0;
  private readonly onRows: (rows: number) => void;
  private readonly table: string;
  /** Where each row of the current batch ends in `content`. */
  private rowEnds = new Int32Array(1024);
  private readonly lend: boolean;

  /** `lend`: the bytes pushed go straight to a `ChunkFileWriter` (see `handOut`). */
  constructor(spec: ChunkSpec, header: string, statementBytes: number, onRows: (rows: number) => void, lend = false) {
    // Objects in are row batches (~128 KB each), bytes out.
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 4 });
    this.encoder = new RowEncoder(spec.columns);
    this.table = qualified(spec.database, spec.table);
    this.prefix = Buffer.from(`INSERT INTO ${quoteId(spec.table)} (${spec.columns.map((c) => quoteId(c.name)).join(',')}) VALUES `, 'utf8');
    this.statementBytes = statementBytes;
    this.onRows = onRows;
    this.lend = lend;
    this.out.utf8(header);
  }

  /**
   * Rows are encoded once, into the content buffer (each followed by `\n`, as the content hash wants
   * them); the file's bytes are then copied from there a statement's worth at a time, with the
   * newlines between rows patched to commas. Same bytes as appending rows to the file one by one.
   */
  override _transform(batch: RowBatch, _enc: BufferEncoding, done: TransformCallback): void {
    const { out, content, encoder } = this;
    const rows = batch.rows;
    if (this.rowEnds.length < rows) this.rowEnds = new Int32Array(Math.max(rows, this.rowEnds.length * 2));
    const ends = this.rowEnds;
    const first = content.length;
    try {
      encoder.begin(content, batch.data, rows);
      batch.recycle?.(); // begin() copied the rows
      for (let r = 0; r < rows; r++) {
        encoder.row(content);
        ends[r] = content.length;
        content.buf[content.length++] = 0x0a;
      }
      if (!encoder.done()) throw new RangeError(`a batch of ${rows} rows has bytes left over`);
    } catch (error) {
      // Only a driver/encoder mismatch gets here; the file would be wrong, so the chunk fails.
      done(new Error(`cannot encode rows of ${this.table}: ${(error as Error).message}`));
      return;
    }

    let r = 0;
    while (r < rows) {
      if (!this.inStatement) {
        this.inStatement = true;
        out.bytes(this.prefix);
        this.statementLength = this.prefix.length;
      } else {
        out.byte(0x2c);
        this.statementLength += 1;
      }
      // The rows r..last of this batch go into the current statement.
      const from = r === 0 ? first : ends[r - 1]! + 1;
      let ended = false;
      for (;;) {
        this.statementLength += ends[r]! - (r === 0 ? first : ends[r - 1]! + 1);
        r++;
        if (this.statementLength >= this.statementBytes) {
          ended = true;
          break;
        }
        if (r === rows) break;
        this.statementLength += 1; // the comma before the next row
      }
      const to = ends[r - 1]!;
      const at = out.length;
      out.copyFrom(content, from, to);
      const buf = out.buf;
      for (let i = r - 2; i >= 0 && ends[i]! >= from; i--) buf[at + ends[i]! - from] = 0x2c;
      if (ended) {
        out.ascii(';\n');
        this.inStatement = false;
      }
    }
    const before = this.rows;
    this.rows += rows;
    if (before >> 10 !== this.rows >> 10) this.onRows(this.rows);

    // The file is a byte stream: hand bytes on whenever enough have gathered, mid-statement or not.
    if (out.length >= FLUSH_BYTES) this.push(handOut(out, this.lend));
    if (content.length >= FLUSH_BYTES) this.hashContent(done);
    else done();
  }

  /** Hands the gathered content to the hashing thread (copied there), then empties it. */
  private hashContent(done: TransformCallback): void {
    let wait: Promise<void> | undefined;
    try {
      wait = this.contentHash.update(this.content.view());
    } catch (error) {
      done(error as Error);
      return;
    }
    this.content.truncate(0);
    if (wait) wait.then(() => done(), (error: unknown) => done(error as Error));
    else done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (error) this.contentHash.discard();
    // After _flush (or a failure): the buffers serve the next chunk.
    giveBuilder(this.out);
    giveBuilder(this.content);
    done(error);
  }

  override _flush(done: TransformCallback): void {
    if (this.inStatement) this.out.ascii(';\n');
    this.out.ascii(`-- rows: ${this.rows}\n`);
    this.push(handOut(this.out, this.lend));
    this.onRows(this.rows);
    this.hashContent(done);
  }

  contentDigest(): Promise<string> {
    return this.contentHash.digest();
  }

  discardDigest(): void {
    this.contentHash.discard();
  }
}

/**
 * Turns raw rows into `LOAD DATA` lines (see `RowEncoder`'s tsv rules): one row per line, nothing
 * else in the file. The content hash is the sha256 of exactly these bytes, so for a file written
 * as it is (uncompressed) it is the file's own sha256 and is not computed twice.
 */
class TsvEncoder extends Transform {
  rows = 0;
  private readonly out = takeBuilder();
  private readonly contentHash: Sha256 | null;
  private readonly encoder: RowEncoder;
  private readonly onRows: (rows: number) => void;
  private readonly table: string;
  private readonly lend: boolean;

  /**
   * `toFile`: the bytes pushed go, uncompressed, straight to a `ChunkFileWriter` — lent, not copied
   * (see `handOut`), and hashed there as the file. Otherwise they are hashed here as the content.
   */
  constructor(spec: Pick<ChunkSpec, 'database' | 'table' | 'columns'>, toFile: boolean, onRows: (rows: number) => void) {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 4 });
    this.encoder = new RowEncoder(spec.columns, 'tsv');
    this.table = qualified(spec.database, spec.table);
    this.contentHash = toFile ? null : new Sha256();
    this.onRows = onRows;
    this.lend = toFile;
  }

  override _transform(batch: RowBatch, _enc: BufferEncoding, done: TransformCallback): void {
    const { out, encoder } = this;
    const rows = batch.rows;
    try {
      encoder.begin(out, batch.data, rows);
      batch.recycle?.();
      for (let r = 0; r < rows; r++) {
        encoder.row(out);
        out.buf[out.length++] = 0x0a;
      }
      if (!encoder.done()) throw new RangeError(`a batch of ${rows} rows has bytes left over`);
    } catch (error) {
      done(new Error(`cannot encode rows of ${this.table}: ${(error as Error).message}`));
      return;
    }
    const before = this.rows;
    this.rows += rows;
    if (before >> 10 !== this.rows >> 10) this.onRows(this.rows);
    if (out.length >= FLUSH_BYTES) this.hand(done);
    else done();
  }

  /** Hashes (when asked) and passes on what has gathered. */
  private hand(done: TransformCallback): void {
    let wait: Promise<void> | undefined;
    try {
      wait = this.contentHash?.update(this.out.view());
    } catch (error) {
      done(error as Error);
      return;
    }
    this.push(handOut(this.out, this.lend));
    if (wait) wait.then(() => done(), (error: unknown) => done(error as Error));
    else done();
  }

  override _flush(done: TransformCallback): void {
    this.onRows(this.rows);
    this.hand(done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (error) this.contentHash?.discard();
    giveBuilder(this.out);
    done(error);
  }

  /** The content hash, or null when it is the file's sha256. */
  contentDigest(): Promise<string> | null {
    return this.contentHash?.digest() ?? null;
  }

  discardDigest(): void {
    this.contentHash?.discard();
  }
}

/**
 * Bytes handed to the compressor / disk at a time. Each fs write and each zlib call is a trip to the
 * libuv thread pool, and on a small VM a trip costs tens of microseconds of the main thread's time
 * (waking the pool thread): 1 MB pieces keep that to a few hundred trips per GB.
 */
const FLUSH_BYTES = 1024 * 1024;

/**
 * Encoder buffers grow to a few MB (1 MB gathered + a batch's worth of room); each chunk reusing the
 * last chunk's instead of growing new ones spares the copying and the GC that large allocations
 * drive. A few are kept, for the chunks being written at the same time.
 */
const spareBuilders: ByteBuilder[] = [];
function takeBuilder(): ByteBuilder {
  return spareBuilders.pop() ?? new ByteBuilder(2 * FLUSH_BYTES);
}
function giveBuilder(b: ByteBuilder): void {
  b.truncate(0);
  // One grown for a huge row is not worth keeping.
  if (b.buf.length <= 8 * FLUSH_BYTES && spareBuilders.length < 16 && !spareBuilders.includes(b)) spareBuilders.push(b);
}

/**
 * An uncompressed chunk's bytes reach the file as the encoder's own buffer, not a copy of it: a
 * dump of the bench's 1.6 GB made as many 1 MB copies and allocations, and the collections they
 * drove. The builder gets a spare buffer in exchange, and `ChunkFileWriter` gives the lent one back
 * once it is written. Only for a chain that ends in that writer with nothing holding on to the bytes
 * (the hasher copies them as they pass); a compressor's input is copied as before.
 */
const OUTPUT_BYTES = 2 * FLUSH_BYTES;
const spareOutputs: Buffer[] = [];
const lentOutputs = new WeakSet<ArrayBufferLike>();

function handOut(builder: ByteBuilder, lend: boolean): Buffer {
  if (!lend) return builder.take();
  const out = builder.view();
  // Full-size buffers of their own only; one grown for a huge row is lent and then dropped.
  if (out.byteOffset === 0 && out.buffer.byteLength === OUTPUT_BYTES) lentOutputs.add(out.buffer);
  builder.buf = spareOutputs.pop() ?? Buffer.allocUnsafeSlow(OUTPUT_BYTES);
  builder.truncate(0);
  return out;
}

function giveBackOutput(written: Buffer): void {
  if (!lentOutputs.delete(written.buffer)) return;
  if (spareOutputs.length < 16) spareOutputs.push(Buffer.from(written.buffer, 0, OUTPUT_BYTES));
}

/**
 * Writes a chunk's file and, at the end, fsyncs and closes it: a file is complete on disk before
 * it is renamed and journaled. A plain `fs.write` per piece, giving lent buffers back (`handOut`).
 */
class ChunkFileWriter extends Writable {
  private fd: number | null = null;
  private readonly file: string;

  constructor(file: string) {
    super();
    this.file = file;
  }

  override _construct(done: (error?: Error | null) => void): void {
    fsOpen(this.file, 'w', 0o666, (error, fd) => {
      if (!error) this.fd = fd;
      done(error);
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    const fd = this.fd!;
    const from = (at: number) => {
      fsWrite(fd, chunk, at, chunk.length - at, null, (error, n) => {
        if (error) done(error);
        else if (at + n < chunk.length) from(at + n);
        else {
          giveBackOutput(chunk);
          done();
        }
      });
    };
    from(0);
  }

  override _final(done: (error?: Error | null) => void): void {
    const fd = this.fd!;
    fsync(fd, (syncError) => {
      this.fd = null;
      fsClose(fd, (closeError) => done(syncError ?? closeError));
    });
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (this.fd === null) return done(error);
    const fd = this.fd;
    this.fd = null;
    fsClose(fd, () => done(error));
  }
}

function compressor(compress: Compression, level: number | undefined): Transform | null {
  // zlib's default 16 KB output buffer would take ~30 thread-pool trips per 1 MB written.
  if (compress === 'gzip') return createGzip({ level: level ?? 1, chunkSize: 512 * 1024 });
  // zstd compresses on a thread of its own (nbWorkers), so the main thread goes on encoding rows;
  // 1 MB jobs keep its buffers to ~10 MB per chunk being written.
  if (compress === 'zstd') return new CompressStream({ compressionLevel: level ?? 3, nbWorkers: 1, jobSize: 1 << 20 });
  return null;
}

/**
 * Streams one chunk from the server to its file: rows → INSERT encoder → compressor → hasher → disk,
 * under one `pipeline`, so a slow disk slows the reader and memory stays flat. The file is written
 * as `<file>.partial`, fsynced and renamed: a file under its final name is always complete.
 */
export async function writeChunk(options: {
  session: Session;
  outDir: string;
  spec: ChunkSpec;
  compress: Compression;
  compressLevel?: number | undefined;
  /** @default "sql" */
  format?: DataFormat;
  statementBytes: number;
  signal?: AbortSignal | undefined;
  onRows?: (rows: number) => void;
}): Promise<ChunkResult> {
  const { session, outDir, spec } = options;
  const started = performance.now();
  const full = insideDir(outDir, spec.file);
  const tmp = `${full}.partial`;
  await mkdir(path.dirname(full), { recursive: true });

  const onRows = options.onRows ?? (() => undefined);
  let encoder: InsertEncoder | TsvEncoder;
  if (options.format === 'tsv') {
    // A tsv file is rows only (LOAD DATA would read a header as data); its range is in the manifest.
    encoder = new TsvEncoder(spec, options.compress === 'none', onRows);
  } else {
    const header =
      `-- paradump chunk ${spec.index} of ${commentSafe(qualified(spec.database, spec.table))}\n` +
      `-- range: ${commentSafe(describeRange(spec.keyColumns, spec.lower, spec.upper))} (lower inclusive, upper exclusive)\n` +
      DATA_PREAMBLE;
    encoder = new InsertEncoder(spec, header, options.statementBytes, onRows, options.compress === 'none');
  }
  const hasher = new ByteHasher();
  const { stream } = session.streamRaw(chunkSelect(spec));
  const zip = compressor(options.compress, options.compressLevel);
  const sink = new ChunkFileWriter(tmp);
  try {
    const stages = zip ? [stream, encoder, zip, hasher, sink] : [stream, encoder, hasher, sink];
    // @ts-expect-error -- pipeline's overloads do not cover a computed list of stages
    await pipeline(...stages, options.signal ? { signal: options.signal } : {});
    await rename(tmp, full);
  } catch (error) {
    stream.destroy();
    hasher.discard();
    encoder.discardDigest();
    await rm(tmp, { force: true });
    throw error;
  }
  const [sha256, content] = await Promise.all([hasher.digest(), encoder.contentDigest()]);
  return { rows: encoder.rows, bytes: hasher.bytes, sha256, contentSha256: content ?? sha256, durationMs: Math.round(performance.now() - started) };
}

/**
 * The content hash of a key range as it is now on a server, computed exactly as the dump computed
 * `contentSha256` (same SELECT, same encoder), without writing anything. `session` must come from
 * `openReader`. Verify compares it with the manifest to find changed ranges.
 */
export async function hashRangeContent({
  session,
  spec,
  format = 'sql',
  signal,
}: {
  session: Session;
  spec: Omit<ChunkSpec, 'file' | 'index'>;
  /** The dump's format: the content hash is over the rows as that format writes them. */
  format?: DataFormat;
  signal?: AbortSignal;
}): Promise<{ rows: number; contentSha256: string }> {
  const encoder = format === 'tsv' ? new TsvEncoder(spec, false, () => undefined) : new InsertEncoder({ ...spec, index: 0, file: '' }, '', Number.MAX_SAFE_INTEGER, () => undefined);
  const { stream } = session.streamRaw(chunkSelect(spec));
  const drain = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    await pipeline(stream, encoder, drain, signal ? { signal } : {});
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const digest = await encoder.contentDigest();
  if (digest === null) throw new Error('unreachable: the range encoder always hashes');
  return { rows: encoder.rows, contentSha256: digest };
}

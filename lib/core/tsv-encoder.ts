import { Transform, type TransformCallback } from 'node:stream';
import type { ChunkSpec } from './chunk-spec.ts';
import { RowEncoder } from './encode-values.ts';
import { qualified } from './sql-names.ts';
import type { RowBatch } from './row-batch.ts';
import { newContentHash, type ContentHash, type ContentHashAlgorithm } from './content-hash.ts';
import { FLUSH_BYTES, giveBuilder, handOut, takeBuilder } from './output-buffers.ts';

/**
 * Turns raw rows into `LOAD DATA` lines (see `RowEncoder`'s tsv rules): one row per line, nothing
 * else in the file. The content hash is of exactly these bytes: in dumps before manifest version 5
 * (sha256) that was the uncompressed file's own sha256, not computed twice; xxh3-128 now.
 */
export class TsvEncoder extends Transform {
  rows = 0;
  private readonly out = takeBuilder();
  private readonly contentHash: ContentHash | null;
  private readonly encoder: RowEncoder;
  private readonly onRows: (rows: number) => void;
  private readonly table: string;
  private readonly lend: boolean;

  /**
   * `toFile`: the bytes pushed go, uncompressed, straight to a `LocalFileWriter` — lent, not copied
   * (see `handOut`). A sha256 content hash (verifying an old dump) is then the file's sha256 and
   * not computed here.
   */
  constructor(spec: Pick<ChunkSpec, 'database' | 'table' | 'columns'>, toFile: boolean, onRows: (rows: number) => void, algorithm: ContentHashAlgorithm = 'xxh3-128') {
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 4 });
    this.encoder = new RowEncoder(spec.columns, 'tsv');
    this.table = qualified(spec.database, spec.table);
    this.contentHash = toFile && algorithm === 'sha256' ? null : newContentHash(algorithm);
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

import { Transform, type TransformCallback } from 'node:stream';
import type { ChunkSpec } from './chunk-spec.ts';
import { RowEncoder } from './encode-values.ts';
import { qualified, quoteId } from './sql-names.ts';
import type { RowBatch } from './row-batch.ts';
import { newContentHash, type ContentHashAlgorithm } from './content-hash.ts';
import { FLUSH_BYTES, giveBuilder, handOut, takeBuilder } from './output-buffers.ts';

/**
 * Turns raw rows into multi-row INSERT statements of at most `statementBytes` (a row larger than that
 * gets a statement of its own), and hashes the encoded rows for verification: the content hash is
 * over every row's `(v1,…,vn)` followed by `\n`, in chunk order, whatever the statement size.
 */
export class InsertEncoder extends Transform {
  rows = 0;
  private readonly out = takeBuilder();
  /** Encoded rows for the content hash, hashed in batches rather than one update per row. */
  private readonly content = takeBuilder();
  private readonly contentHash;
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

  /** `lend`: the bytes pushed go straight to a `LocalFileWriter` (see `handOut`); `algorithm`: sha256 to verify an old dump. */
  constructor(spec: ChunkSpec, header: string, statementBytes: number, onRows: (rows: number) => void, lend = false, algorithm: ContentHashAlgorithm = 'xxh3-128') {
    // Objects in are row batches (~128 KB each), bytes out.
    super({ writableObjectMode: true, readableObjectMode: false, writableHighWaterMark: 4 });
    this.encoder = new RowEncoder(spec.columns);
    this.table = qualified(spec.database, spec.table);
    this.prefix = Buffer.from(`INSERT INTO ${quoteId(spec.table)} (${spec.columns.map((c) => quoteId(c.name)).join(',')}) VALUES `, 'utf8');
    this.statementBytes = statementBytes;
    this.onRows = onRows;
    this.lend = lend;
    this.contentHash = newContentHash(algorithm);
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

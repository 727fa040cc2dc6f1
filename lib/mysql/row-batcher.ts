import type { RowBatch } from '../core/row-batch.ts';
import { LONG_PACKET } from './mysql2-internals.ts';

/** A batch is handed on once it holds this many bytes; it is allocated with room to spare. */
const BATCH_FLUSH = 128 * 1024;
const BATCH_BYTES = 160 * 1024;
/**
 * Batch buffers kept for reuse, shared by every query of the process: a dump of small tables runs
 * thousands of queries of one batch each, and a pool per query meant two fresh 160 KB buffers per
 * chunk, whose external memory drove most of the collections (docs/benchmarks.md). More would only
 * hold memory a slow consumer already holds.
 */
const SPARE_BATCHES = 16;
const spare: Buffer[] = [];

/**
 * Row packets gathered into batches (see RowBatch), each handed to `hand` once it holds about
 * BATCH_FLUSH bytes, or on `flush`.
 *
 * Consecutive row packets usually lie back to back in one socket read: they are remembered as one
 * run and copied together. The run points into the caller's buffer, so the caller ends it
 * (`closeRun`) before that buffer is reused — at the latest when a read has been gone through.
 */
export class RowBatcher {
  private readonly hand: (batch: RowBatch) => void;
  // Batch buffers come back (RowBatch.recycle) once the consumer has copied them: no fresh
  // ArrayBuffer per batch, so no GC driven by external memory. Taken when the first row comes.
  private batch: Buffer | null = null;
  private used = 0;
  private rows = 0;
  private runBuffer: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;

  constructor(hand: (batch: RowBatch) => void) {
    this.hand = hand;
  }

  /** One row packet, header included, exactly as on the wire (`buffer[start, end)`). */
  addWirePacket(buffer: Buffer, start: number, end: number): void {
    this.makeRoom(end - start);
    if (this.runBuffer === buffer && this.runEnd === start) {
      this.runEnd = end;
    } else {
      this.closeRun();
      this.runBuffer = buffer;
      this.runStart = start;
      this.runEnd = end;
    }
    this.rows++;
    if (this.used + (this.runEnd - this.runStart) >= BATCH_FLUSH) this.flush();
  }

  /**
   * One row whose payload (`buffer[offset, end)`) no longer lies behind its own header — reassembled
   * by the driver from the packets of a value over 16 MB: copied now, behind a header of our own.
   */
  addPayload(buffer: Buffer, offset: number, end: number): void {
    const payload = end - offset;
    this.makeRoom(payload + (payload < LONG_PACKET ? 4 : 12));
    this.closeRun();
    const batch = this.batch!;
    if (payload < LONG_PACKET) {
      batch.writeUIntLE(payload, this.used, 3);
      batch[this.used + 3] = 0;
      this.used += 4;
    } else {
      batch.writeUIntLE(LONG_PACKET, this.used, 3);
      batch[this.used + 3] = 0;
      batch.writeUInt32LE(payload % 2 ** 32, this.used + 4);
      batch.writeUInt32LE(Math.floor(payload / 2 ** 32), this.used + 8);
      this.used += 12;
    }
    this.used += buffer.copy(batch, this.used, offset, end);
    this.rows++;
    if (this.used >= BATCH_FLUSH) this.flush();
  }

  /** Copies the current run into the batch: its buffer may be reused after this. */
  closeRun(): void {
    if (!this.runBuffer) return;
    this.used += this.runBuffer.copy(this.batch!, this.used, this.runStart, this.runEnd);
    this.runBuffer = null;
  }

  /** Forgets the current run uncopied (the rows are not wanted any more). */
  dropRun(): void {
    this.runBuffer = null;
  }

  /** Hands on the rows gathered so far, if any. */
  flush(): void {
    this.closeRun();
    if (this.rows === 0) return;
    const full = this.batch!;
    let recycled = false;
    const recycle = () => {
      if (recycled || full.length !== BATCH_BYTES || spare.length >= SPARE_BATCHES) return;
      recycled = true;
      spare.push(full);
    };
    const out: RowBatch = { data: full.subarray(0, this.used), rows: this.rows, recycle };
    this.batch = null;
    this.used = 0;
    this.rows = 0;
    this.hand(out);
  }

  /** Makes room in the batch for `size` more bytes: hands the batch on when full, grows it for a huge row. */
  private makeRoom(size: number): void {
    this.batch ??= fresh();
    if (this.used + (this.runBuffer ? this.runEnd - this.runStart : 0) + size <= this.batch.length) return;
    this.flush();
    const current = this.batch as Buffer | null;
    if (current && size <= current.length) return;
    this.batch = size > BATCH_BYTES ? Buffer.allocUnsafe(size) : fresh();
  }
}

function fresh(): Buffer {
  return spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
}

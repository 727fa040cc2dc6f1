import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowBatch } from '../core/row-batch.ts';

/**
 * A token bucket on a virtual clock, shared by every worker of one run: `due` is the moment the
 * bytes let through so far are paid for at `bytesPerSecond`. A caller waits until its bytes fit
 * within `burstMs` of now, so the run as a whole never goes faster than the rate, however many
 * workers take from it, and no timer runs while nothing waits.
 */
export class ByteRate {
  private due = 0;

  constructor(
    readonly bytesPerSecond: number,
    private readonly burstMs = 50,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long (ms) `bytes` must wait from now; the bucket counts them as taken. */
  reserve(bytes: number): number {
    const now = this.now();
    this.due = Math.max(this.due, now) + (bytes * 1000) / this.bytesPerSecond;
    return Math.max(0, this.due - now - this.burstMs);
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(bytes);
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {});
  }

  /** Passes row batches on at the rate: a stage after the raw row stream, so the reader slows too. */
  rowBatches(signal?: AbortSignal): Transform {
    return new Transform({
      objectMode: true,
      transform: (batch: RowBatch, _encoding, callback) => {
        this.take(batch.data.length, signal).then(
          () => callback(null, batch),
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }

  /** The same for a byte stream (a file on its way to the target). */
  bytes(signal?: AbortSignal): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.take(chunk.length, signal).then(
          () => callback(null, chunk),
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }
}

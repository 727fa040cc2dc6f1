import { close as fsClose, closeSync, fsync, openSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { giveBackOutput } from '../core/output-buffers.ts';
import { insideDir } from '../core/write-file-atomic.ts';
import { writePiece, type Folders } from '../storage/local-file-writer.ts';
import type { FileWriter } from '../storage/target.ts';

/** A table at most this big (the server's estimate) whose plan is one chunk is dumped in a group. */
export const SMALL_TABLE_BYTES = 1024 * 1024;
/** Chunks in a group: each group costs one round of fsyncs and one journal write + fdatasync. */
export const GROUP_CHUNKS = 64;
/** Estimated bytes in a group: what may sit unsynced in the page cache per worker. */
const GROUP_BYTES = 16 * 1024 * 1024;

/**
 * Cuts the tasks into units a worker takes at once: a group of small one-chunk tables, or one chunk
 * on its own. Order is kept (groups where their first chunk was).
 */
export function groupSmallChunks<T>(tasks: readonly T[], isSmall: (task: T) => number | null): (T | T[])[] {
  const units: (T | T[])[] = [];
  let group: T[] | null = null;
  let groupBytes = 0;
  for (const task of tasks) {
    const bytes = isSmall(task);
    if (bytes === null) {
      units.push(task);
      continue;
    }
    if (!group || group.length >= GROUP_CHUNKS || groupBytes + bytes > GROUP_BYTES) {
      group = [];
      groupBytes = 0;
      units.push(group);
    }
    group.push(task);
    groupBytes += bytes;
  }
  return units;
}

/**
 * The files of one group of small chunks in a local dump. Each is written under its final name,
 * unsynced, and kept open; `syncAll` then fsyncs them together (the pool runs the fsyncs side by
 * side, and the file system merges them into few journal commits), then their folders, and closes
 * them. Only after that may the journal name them: a file under its final name that the journal
 * does not name is removed by a resume, so one torn by a kill is never kept.
 */
export class ChunkGroupFiles {
  private readonly writers: UnsyncedFileWriter[] = [];

  constructor(
    private readonly outDir: string,
    /** Folders made (or being made) in this dump, shared by its groups: each is made once. */
    private readonly folders: Folders,
  ) {}

  openWrite(file: string): FileWriter {
    const full = insideDir(this.outDir, file);
    const stream = new UnsyncedFileWriter(full, this.folders.ready(path.dirname(full)));
    this.writers.push(stream);
    return {
      stream,
      commit: async () => undefined,
      abort: async () => {
        this.writers.splice(this.writers.indexOf(stream), 1);
        await stream.closeNow();
        await rm(full, { force: true });
      },
    };
  }

  /** Makes every finished file of the group durable, with its directory entry. */
  async syncAll(): Promise<void> {
    const writers = this.writers.splice(0);
    const results = await Promise.allSettled(writers.map((w) => w.syncAndClose()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    for (const dir of new Set(writers.map((w) => path.dirname(w.file)))) {
      const fh = await open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  }

  /** After a failure: closes what is still open (the files stay; a resume removes them). */
  async closeAll(): Promise<void> {
    await Promise.all(this.writers.splice(0).map((w) => w.closeNow()));
  }
}

/**
 * Pieces up to this size are written with a synchronous `write` (into the page cache, microseconds):
 * on this 2-core VM each trip to the libuv pool cost the main thread ~0.3 ms when the machine was
 * busy (the profile of the 3000-table dump: 2.2 s in writeBuffer, 1.5 s in open), more than the write.
 */
const SYNC_WRITE_BYTES = 256 * 1024;

/**
 * Opens and writes small pieces synchronously, bigger ones with `fs.write` (lent buffers given back,
 * see `handOut`); the fd stays open for the group's fsync.
 */
class UnsyncedFileWriter extends Writable {
  private fd: number | null = null;

  constructor(
    readonly file: string,
    private readonly ready: Promise<unknown>,
  ) {
    // Not destroyed when finished: the fd stays open until `syncAndClose`.
    super({ autoDestroy: false });
  }

  override _construct(done: (error?: Error | null) => void): void {
    this.ready.then(
      () => {
        try {
          this.fd = openSync(this.file, 'w', 0o666);
        } catch (error) {
          done(error as Error);
          return;
        }
        done();
      },
      (error: Error) => done(error),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    const fd = this.fd!;
    if (chunk.length <= SYNC_WRITE_BYTES) {
      try {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
      } catch (error) {
        done(error as Error);
        return;
      }
      giveBackOutput(chunk);
      done();
      return;
    }
    writePiece(fd, chunk, done);
  }

  syncAndClose(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return Promise.reject(new Error(`${this.file} is not open`));
    return new Promise((resolve, reject) => {
      fsync(fd, (syncError) => {
        try {
          closeSync(fd);
        } catch (closeError) {
          reject(syncError ?? (closeError as Error));
          return;
        }
        if (syncError) reject(syncError);
        else resolve();
      });
    });
  }

  closeNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      this.destroy();
    });
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (this.fd === null) return done(error);
    const fd = this.fd;
    this.fd = null;
    fsClose(fd, () => done(error));
  }
}

import { close as fsClose, fsync, open as fsOpen, write as fsWrite } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { giveBackOutput } from '../core/output-buffers.ts';

/**
 * Folders made (or being made), each once: a dump writes thousands of files into a few folders.
 * A failure is not remembered: the next file tries again (and reports its own error).
 */
export class Folders {
  private readonly made = new Map<string, Promise<unknown>>();

  ready(dir: string): Promise<unknown> {
    let made = this.made.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true });
      void made.catch(() => this.made.delete(dir));
      this.made.set(dir, made);
    }
    return made;
  }

  /** After the folders were removed: they are made again when next asked for. */
  clear(): void {
    this.made.clear();
  }
}

/** Writes all of `chunk` at the file's position with `fs.write`, then gives a lent buffer back (`handOut`). */
export function writePiece(fd: number, chunk: Buffer, done: (error?: Error | null) => void): void {
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

/**
 * Writes a file of a local backup and, at the end, fsyncs and closes it: a file is complete on disk
 * before it is renamed and journaled. A plain `fs.write` per piece, giving lent buffers back
 * (`handOut`). `ready` is its folder being made (once per folder, shared by its files).
 */
export class LocalFileWriter extends Writable {
  private fd: number | null = null;

  constructor(
    private readonly file: string,
    private readonly ready: Promise<unknown>,
  ) {
    super();
  }

  override _construct(done: (error?: Error | null) => void): void {
    this.ready.then(
      () =>
        fsOpen(this.file, 'w', 0o666, (error, fd) => {
          if (!error) this.fd = fd;
          done(error);
        }),
      (error: Error) => done(error),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    writePiece(this.fd!, chunk, done);
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

import { close as fsClose, fsync, open as fsOpen, write as fsWrite } from 'node:fs';
import { Writable } from 'node:stream';
import { giveBackOutput } from '../core/output-buffers.ts';

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

import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

// zstd-napi's low-level binding is a native CommonJS module: load it with require.
const binding = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
type DCtx = InstanceType<typeof binding.DCtx>;

/**
 * Streaming zstd decompression that reuses decompression contexts. A dump holds many small chunk
 * files; zstd-napi's DecompressStream makes a fresh context and a 128 KiB buffer per call, and the
 * garbage from hundreds of them cost more than the decompression itself. Output is decompressed
 * straight into 1 MiB buffers, each handed on once full (or at the end): no copy, and an eighth of
 * the pieces for the stages after it (a SQL file's rewrite to tsv pays per piece).
 */
const pool: DCtx[] = [];
const OUT_BYTES = 1024 * 1024;

export class ZstdDecompress extends Transform {
  private dctx: DCtx | null;
  private inFrame = false;
  /** The buffer being filled, and how much of it is. Downstream owns it once pushed. */
  private out: Buffer | null = null;
  private used = 0;

  constructor() {
    super();
    this.dctx = pool.pop() ?? new binding.DCtx();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const dctx = this.dctx;
    if (!dctx) {
      done(new Error('zstd: stream already closed'));
      return;
    }
    try {
      let src = chunk;
      for (;;) {
        this.out ??= Buffer.allocUnsafe(OUT_BYTES);
        const room = this.out.subarray(this.used);
        const [ret, produced, consumed] = dctx.decompressStream(room, src);
        this.used += produced;
        if (this.used === this.out.length) {
          this.push(this.out);
          this.out = null;
          this.used = 0;
        }
        src = src.subarray(consumed);
        if (src.length === 0 && (produced < room.length || ret === 0)) {
          this.inFrame = ret !== 0;
          break;
        }
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.inFrame) {
      done(new Error('zstd: the file ends in the middle of a compressed frame (truncated)'));
      return;
    }
    if (this.out && this.used > 0) this.push(this.out.subarray(0, this.used));
    this.out = null;
    this.release();
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.release();
    done(error);
  }

  private release(): void {
    if (!this.dctx) return;
    this.dctx.reset(binding.ResetDirective.sessionOnly);
    if (pool.length < 64) pool.push(this.dctx);
    this.dctx = null;
  }
}

import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

// zstd-napi's low-level binding is a native CommonJS module: load it with require.
const binding = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
type DCtx = InstanceType<typeof binding.DCtx>;

/**
 * Streaming zstd decompression that reuses decompression contexts and one scratch buffer. A dump
 * holds many small chunk files; zstd-napi's DecompressStream makes a fresh context and a 128 KiB
 * buffer per call, and the garbage from hundreds of them cost more than the decompression itself.
 * Output is copied out of the scratch buffer at its exact size (downstream keeps slices of it).
 */
const pool: DCtx[] = [];
let scratch: Buffer | null = null;

export class ZstdDecompress extends Transform {
  private dctx: DCtx | null;
  private inFrame = false;

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
      scratch ??= Buffer.allocUnsafe(binding.dStreamOutSize());
      let src = chunk;
      for (;;) {
        const [ret, produced, consumed] = dctx.decompressStream(scratch, src);
        if (produced > 0) this.push(Buffer.from(scratch.subarray(0, produced)));
        src = src.subarray(consumed);
        if (src.length === 0 && (produced < scratch.length || ret === 0)) {
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

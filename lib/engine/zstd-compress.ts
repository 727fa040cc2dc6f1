import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

// zstd-napi's low-level binding is a native CommonJS module: load it with require.
const binding = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
type CCtx = InstanceType<typeof binding.CCtx>;
type EndDirective = (typeof binding.EndDirective)[keyof typeof binding.EndDirective];

/**
 * Streaming zstd compression that reuses compression contexts, one small pool per level. A dump of
 * thousands of small tables writes thousands of files; zstd-napi's CompressStream makes a fresh
 * context (with its worker thread and its window buffers) per file, and the garbage collection and
 * native set-up of those cost more than the compression itself. A context is reset between files
 * (session only: its parameters stay), so the next file starts a new frame with the same settings.
 * The context compresses on a worker thread of its own (nbWorkers), so the main thread goes on
 * encoding rows; 1 MB jobs keep its buffers to ~10 MB per file being written.
 */
const pools = new Map<string, CCtx[]>();
const POOL_MAX = 8;
const OUT_BYTES = 128 * 1024;
/** Output smaller than this is copied out and the buffer kept: a small file then costs no new buffer. */
const COPY_BELOW = 16 * 1024;
/** Output buffers of finished files, for the next ones. */
const spareOut: Buffer[] = [];

function takeContext(level: number, inline: boolean): CCtx {
  const pooled = pools.get(`${level}/${inline}`)?.pop();
  if (pooled) return pooled;
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, level);
  if (!inline) {
    cctx.setParameter(binding.CParameter.nbWorkers, 1);
    cctx.setParameter(binding.CParameter.jobSize, 1 << 20);
  }
  return cctx;
}

export class ZstdCompress extends Transform {
  private cctx: CCtx | null;
  private out = spareOut.pop() ?? Buffer.allocUnsafe(OUT_BYTES);

  /**
   * `inline`: a small file (a group's chunk), compressed on the calling thread. Ending a frame on a
   * context with a worker waits for that thread; for a file of a few KB the hand-over and the wait
   * cost far more than compressing it (3000 small tables: see docs/benchmarks.md).
   */
  constructor(
    private readonly level: number,
    private readonly inline = false,
  ) {
    super();
    this.cctx = takeContext(level, inline);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.run(chunk, binding.EndDirective.continue, done);
  }

  override _flush(done: TransformCallback): void {
    this.run(Buffer.alloc(0), binding.EndDirective.end, (error) => {
      if (!error) this.release();
      done(error);
    });
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.release();
    done(error);
  }

  private run(chunk: Buffer, end: EndDirective, done: TransformCallback): void {
    const cctx = this.cctx;
    if (!cctx) {
      done(new Error('zstd: stream already closed'));
      return;
    }
    try {
      let src = chunk;
      for (;;) {
        const [ret, produced, consumed] = cctx.compressStream2(this.out, src, end);
        if (produced > 0) this.pushOut(produced);
        src = src.subarray(consumed);
        if (src.length === 0 && (end === binding.EndDirective.continue || ret === 0)) break;
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  private pushOut(produced: number): void {
    if (produced < COPY_BELOW) {
      this.push(Buffer.from(this.out.subarray(0, produced)));
      return;
    }
    this.push(this.out.subarray(0, produced));
    this.out = Buffer.allocUnsafe(OUT_BYTES);
  }

  /** Reset (session only), a context that ended its frame or was stopped mid-frame is as good as new. */
  private release(): void {
    const cctx = this.cctx;
    if (!cctx) return;
    this.cctx = null;
    cctx.reset(binding.ResetDirective.sessionOnly);
    const key = `${this.level}/${this.inline}`;
    const pool = pools.get(key) ?? [];
    pools.set(key, pool);
    if (pool.length < POOL_MAX) pool.push(cctx);
    // Pushed output is a copy or a buffer of its own (replaced then): this one is free again.
    if (spareOut.length < POOL_MAX) spareOut.push(this.out);
  }
}

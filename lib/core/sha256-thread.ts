import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';

/**
 * sha256 on a thread of its own. Every byte a dump writes is hashed twice (the file as stored, and
 * the rows' content for verify) and a restore hashes every file it reads: on the main thread that
 * was a quarter of a dump's CPU time, taken from the one thread that also reads and encodes rows.
 * Bytes are copied into shared slabs (a memcpy) and the hashing runs on the worker, in order per hash.
 *
 * The worker is one plain CommonJS script run with `eval`: no file to locate, so it works the same
 * under tsx, in the bundled CLI and inside the Next.js server.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const status = new Int32Array(workerData.status);
const WAITING = workerData.waitingAt;
const hashes = new Map();
const slabs = [];
parentPort.on('message', (m) => {
  if (m.t === 'u') {
    let h = hashes.get(m.id);
    if (h === undefined) { h = createHash('sha256'); hashes.set(m.id, h); }
    h.update(slabs[m.i].subarray(0, m.n));
    Atomics.store(status, m.i, 0);
    if (Atomics.exchange(status, WAITING, 0) === 1) parentPort.postMessage('wake');
  } else if (m.t === 'd') {
    const h = hashes.get(m.id) ?? createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  } else if (m.t === 'x') {
    hashes.delete(m.id);
  } else if (m.t === 'slab') {
    slabs[m.i] = new Uint8Array(m.sab);
  }
});
`;

/**
 * Bytes per slab. A hash fills its slab and hands it over only when full (or at the end): each
 * hand-over is a message and a thread wake-up, which on a small VM cost more than the memcpy.
 */
const SLAB_BYTES = 2 * 1024 * 1024;
/** At most this many slabs (shared memory); a producer beyond that waits for one. */
const MAX_SLABS = 8;

type Reply = 'wake' | { id: number; hex: string };

/**
 * Slab ownership lives in shared memory (`status[i]`: 1 taken, 0 free): the worker frees a slab with
 * a store, not a message, and posts 'wake' only when the main thread said (`status[WAITING]`) that
 * it is waiting for one.
 */
class HashThread {
  private readonly worker: Worker;
  private readonly status = new Int32Array(new SharedArrayBuffer(4 * (MAX_SLABS + 1)));
  readonly slabs: Uint8Array[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly digests = new Map<number, { resolve: (hex: string) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  broken: Error | null = null;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, name: 'paradump sha256', workerData: { status: this.status.buffer, waitingAt: MAX_SLABS } });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => this.onReply(m));
    const fail = (error: Error) => {
      this.broken ??= error;
      for (const d of this.digests.values()) d.reject(this.broken);
      this.digests.clear();
      for (const wake of this.waiting.splice(0)) wake();
      if (shared === this) shared = null;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the hashing thread exited (code ${code})`)));
  }

  newId(): number {
    return this.nextId++;
  }

  /** A free slab (now taken), or -1 when all MAX_SLABS are taken. */
  takeSlab(): number {
    for (let i = 0; i < this.slabs.length; i++) {
      if (Atomics.compareExchange(this.status, i, 0, 1) === 0) return i;
    }
    if (this.slabs.length >= MAX_SLABS) return -1;
    const sab = new SharedArrayBuffer(SLAB_BYTES);
    const i = this.slabs.length;
    this.slabs.push(new Uint8Array(sab));
    Atomics.store(this.status, i, 1);
    this.worker.postMessage({ t: 'slab', i, sab });
    return i;
  }

  releaseSlab(i: number): void {
    Atomics.store(this.status, i, 0);
  }

  /** Resolves with a taken slab once the worker frees one. */
  async waitForSlab(): Promise<number> {
    for (;;) {
      if (this.broken) throw this.broken;
      Atomics.store(this.status, MAX_SLABS, 1);
      // Freed between the failed take and the flag? Then the worker may not have seen the flag.
      const i = this.takeSlab();
      if (i >= 0) return i;
      this.worker.ref();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.waiting.length === 0 && this.digests.size === 0) this.worker.unref();
    }
  }

  hashSlab(id: number, i: number, n: number): void {
    this.worker.postMessage({ t: 'u', id, i, n });
  }

  digest(id: number): Promise<string> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.digests.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ t: 'd', id });
    });
  }

  discard(id: number): void {
    if (!this.broken) this.worker.postMessage({ t: 'x', id });
  }

  private onReply(m: Reply): void {
    if (m === 'wake') {
      for (const wake of this.waiting.splice(0)) wake();
      return;
    }
    const d = this.digests.get(m.id);
    this.digests.delete(m.id);
    if (this.digests.size === 0 && this.waiting.length === 0) this.worker.unref();
    d?.resolve(m.hex);
  }
}

let shared: HashThread | null = null;

/**
 * A hash of at most this many bytes is computed on the calling thread: the thread's two messages
 * and its wake-ups cost more than hashing it (measured: 1 KB 7 µs here against ~25–100 µs by the
 * thread, 64 KB ~60 against ~95 µs; docs/benchmarks.md). A dump of small tables is all such files.
 */
export const INLINE_HASH_BYTES = 64 * 1024;
const spareInline: Buffer[] = [];

/**
 * A sha256 computed on the shared hashing thread, or inline when the whole input stays below
 * INLINE_HASH_BYTES (held in a pooled buffer until then). Feed it in order; `digest()` once at the end.
 */
export class Sha256 {
  private thread: HashThread | null = null;
  private id = 0;
  /** The slab being filled (-1: none) and how full it is. */
  private slab = -1;
  private fill = 0;
  private finished = false;
  /** Bytes held for an inline hash while the input is small; null once it went to the thread. */
  private inline: Buffer | null = null;
  private inlineLength = 0;

  /** A promise when the caller must wait before the next update (every slab taken). */
  update(bytes: Uint8Array): Promise<void> | undefined {
    if (this.thread) return this.updateThread(bytes);
    if (this.inlineLength + bytes.length <= INLINE_HASH_BYTES) {
      this.inline ??= spareInline.pop() ?? Buffer.allocUnsafeSlow(INLINE_HASH_BYTES);
      this.inline.set(bytes, this.inlineLength);
      this.inlineLength += bytes.length;
      return undefined;
    }
    // Too big to hash inline: what was held goes to the thread first.
    if (!shared || shared.broken) shared = new HashThread();
    this.thread = shared;
    this.id = shared.newId();
    const held = this.inline;
    const heldLength = this.inlineLength;
    this.inline = null;
    const first = held ? this.updateThread(held.subarray(0, heldLength)) : undefined;
    if (!first) {
      if (held) giveInline(held);
      return this.updateThread(bytes);
    }
    return first.then(() => {
      giveInline(held!);
      return this.updateThread(bytes);
    });
  }

  private updateThread(bytes: Uint8Array): Promise<void> | undefined {
    const thread = this.thread!;
    let off = 0;
    while (off < bytes.length) {
      if (thread.broken) throw thread.broken;
      if (this.slab < 0) {
        const i = thread.takeSlab();
        if (i < 0) return this.updateLater(bytes.subarray(off));
        this.slab = i;
        this.fill = 0;
      }
      const n = Math.min(SLAB_BYTES - this.fill, bytes.length - off);
      thread.slabs[this.slab]!.set(bytes.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === SLAB_BYTES) this.handOver();
    }
    return undefined;
  }

  private async updateLater(rest: Uint8Array): Promise<void> {
    this.slab = await this.thread!.waitForSlab();
    this.fill = 0;
    const more = this.updateThread(rest);
    if (more) await more;
  }

  private handOver(): void {
    this.thread!.hashSlab(this.id, this.slab, this.fill);
    this.slab = -1;
    this.fill = 0;
  }

  digest(): Promise<string> {
    this.finished = true;
    const thread = this.thread;
    if (!thread) {
      const hash = createHash('sha256');
      if (this.inline) hash.update(this.inline.subarray(0, this.inlineLength));
      this.dropInline();
      return Promise.resolve(hash.digest('hex'));
    }
    if (this.slab >= 0) {
      if (this.fill > 0) this.handOver();
      else thread.releaseSlab(this.slab);
      this.slab = -1;
    }
    return thread.digest(this.id);
  }

  /** Drops a hash that will never be digested (a failed or cancelled stream). */
  discard(): void {
    if (this.finished) return;
    this.finished = true;
    this.dropInline();
    if (!this.thread) return;
    if (this.slab >= 0) this.thread.releaseSlab(this.slab);
    this.slab = -1;
    this.thread.discard(this.id);
  }

  private dropInline(): void {
    if (this.inline) giveInline(this.inline);
    this.inline = null;
    this.inlineLength = 0;
  }
}

function giveInline(b: Buffer): void {
  if (spareInline.length < 16) spareInline.push(b);
}

/** Counts and hashes bytes on their way through: `bytes` and `digest()` are of the stream exactly as it passed. */
export class ByteHasher extends Transform {
  bytes = 0;
  private readonly hash = new Sha256();

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let wait: Promise<void> | undefined;
    try {
      wait = this.hash.update(chunk);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (wait) wait.then(() => done(null, chunk), (error: unknown) => done(error as Error));
    else done(null, chunk);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (error) this.hash.discard();
    done(error);
  }

  digest(): Promise<string> {
    return this.hash.digest();
  }

  discard(): void {
    this.hash.discard();
  }
}

import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ByteHasher } from '../core/sha256-thread.ts';
import { openTarget } from '../storage/open-target.ts';
import { ZstdDecompress } from './zstd-decompress.ts';

/** The decompressor a dump file's name calls for (`.sql`, `.sql.gz`, `.sql.zst`). */
export function decompressorFor(file: string): Transform | null {
  if (file.endsWith('.gz')) return createGunzip();
  if (file.endsWith('.zst')) return new ZstdDecompress();
  return null;
}

/**
 * A dump file as a byte stream: read → (hash of the stored bytes) → decompress. `dir` is the dump's
 * location (a directory or `s3://…`, opened by readManifest); the path comes from the manifest and
 * is resolved inside the dump only. From object storage it is one streamed GET.
 */
export function readDumpFile(dir: string, file: string, sizeHint?: number, throttle?: Transform): { stream: Readable; hasher: ByteHasher; stages: (Readable | Transform)[] } {
  const source = openTarget(dir).openRead(file, { highWaterMark: readBufferSize(sizeHint) });
  const hasher = new ByteHasher();
  const unzip = decompressorFor(file);
  const stages: (Readable | Transform)[] = unzip ? [source, hasher, unzip] : [source, hasher];
  // After decompression: the rate is of what the target is sent.
  if (throttle) stages.push(throttle);
  return { stream: source, hasher, stages };
}

/**
 * Read buffers sized to the file: a dump has many small chunk files, and a fixed large buffer per
 * file would be mostly garbage.
 */
function readBufferSize(size: number | undefined): number {
  if (size === undefined) return 256 * 1024;
  return Math.max(16 * 1024, Math.min(1024 * 1024, 2 ** Math.ceil(Math.log2(Math.max(1, size + 1)))));
}

/**
 * sha256 and size of a file as stored. On the hashing thread by default; `onThisThread` hashes here
 * instead — for a caller whose thread would otherwise only wait (checking a dump's files before a
 * restore: two cores hash at once, and the target waits half as long).
 */
export async function hashFile(dir: string, file: string, signal?: AbortSignal, sizeHint?: number, options: { onThisThread?: boolean } = {}): Promise<{ sha256: string; bytes: number }> {
  const read = () => openTarget(dir).openRead(file, { highWaterMark: readBufferSize(sizeHint) });
  if (options.onThisThread) {
    const hash = createHash('sha256');
    let bytes = 0;
    signal?.throwIfAborted();
    const stream = read();
    const stop = () => stream.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    return { sha256: hash.digest('hex'), bytes };
  }
  const hasher = new ByteHasher();
  const sink = new Transform({ transform: (_c, _e, done) => done() });
  sink.resume();
  await pipeline(read(), hasher, sink, signal ? { signal } : {});
  return { sha256: await hasher.digest(), bytes: hasher.bytes };
}

/** Reads a whole small file (schema and object files). */
export async function readSmallFile(dir: string, file: string): Promise<Buffer> {
  const content = await openTarget(dir).readAll(file);
  if (!content) throw Object.assign(new Error(`${file} is missing from ${dir}`), { code: 'ENOENT' });
  return content;
}

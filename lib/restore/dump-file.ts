import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DumpKey } from '../core/dump-key.ts';
import { decryptBuffer, DecryptStream, type EncryptedFileLabel } from '../core/encrypted-file.ts';
import { isParadumpError } from '../core/errors.ts';
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
 * A dump file as a byte stream: read → (hash of the stored bytes) → decrypt → decompress. `dir` is
 * the dump's location (a directory or `s3://…`, opened by readManifest); the path comes from the
 * manifest and is resolved inside the dump only. From object storage it is one streamed GET. With
 * `decrypt` (an encrypted dump's data file), each segment is authenticated before it is passed on:
 * a tampered byte fails with DECRYPT_FAILED naming `label`.
 */
export function readDumpFile(
  dir: string,
  file: string,
  sizeHint?: number,
  throttle?: Transform,
  decrypt?: { key: DumpKey; label?: EncryptedFileLabel } | null,
): { stream: Readable; hasher: ByteHasher; stages: (Readable | Transform)[] } {
  const source = openTarget(dir).openRead(file, { highWaterMark: readBufferSize(sizeHint) });
  const hasher = new ByteHasher();
  const unzip = decompressorFor(file);
  const stages: (Readable | Transform)[] = [source, hasher];
  if (decrypt) stages.push(new DecryptStream(decrypt.key, { file, ...decrypt.label }));
  if (unzip) stages.push(unzip);
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
export async function hashFile(
  dir: string,
  file: string,
  signal?: AbortSignal,
  sizeHint?: number,
  options: { onThisThread?: boolean; decrypt?: { key: DumpKey; label?: EncryptedFileLabel } | null } = {},
): Promise<{ sha256: string; bytes: number; decrypted?: boolean }> {
  const read = () => openTarget(dir).openRead(file, { highWaterMark: readBufferSize(sizeHint) });
  if (options.decrypt) {
    const checked = await hashAndDecrypt(read(), options.decrypt, signal);
    // A file that fails authentication is hashed again, whole: a changed file is named by its sha256.
    if (!checked.decrypted) return { ...(await hashFile(dir, file, signal, sizeHint)), decrypted: false };
    return checked;
  }
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

/** Hashes the stored bytes and authenticates every segment (the plaintext is dropped): whether it decrypted. */
async function hashAndDecrypt(stream: Readable, decrypt: { key: DumpKey; label?: EncryptedFileLabel }, signal?: AbortSignal): Promise<{ sha256: string; bytes: number; decrypted: boolean }> {
  const hasher = new ByteHasher();
  const sink = new Transform({ transform: (_c, _e, done) => done() });
  sink.resume();
  try {
    await pipeline(stream, hasher, new DecryptStream(decrypt.key, decrypt.label), sink, signal ? { signal } : {});
  } catch (error) {
    if (!isParadumpError(error, 'DECRYPT_FAILED')) {
      hasher.discard();
      throw error;
    }
    hasher.discard();
    return { sha256: '', bytes: 0, decrypted: false };
  }
  return { sha256: await hasher.digest(), bytes: hasher.bytes, decrypted: true };
}

/** Reads a whole small file (schema and object files), decrypted with an encrypted dump's key. */
export async function readSmallFile(dir: string, file: string, key?: DumpKey | null): Promise<Buffer> {
  const content = await openTarget(dir).readAll(file);
  if (!content) throw Object.assign(new Error(`${file} is missing from ${dir}`), { code: 'ENOENT' });
  return key ? decryptBuffer(key, content, { file }) : content;
}

import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { chunkSelect, type ChunkResult, type ChunkSpec } from '../core/chunk-spec.ts';
import { DATA_PREAMBLE } from '../core/data-file.ts';
import type { DumpKey } from '../core/dump-key.ts';
import { EncryptStream } from '../core/encrypted-file.ts';
import { InsertEncoder } from '../core/insert-encoder.ts';
import type { Compression, DataFormat } from '../core/dump-options.ts';
import { describeRange } from '../core/range-sql.ts';
import { ByteHasher } from '../core/sha256-thread.ts';
import { commentSafe, qualified } from '../core/sql-names.ts';
import { TsvEncoder } from '../core/tsv-encoder.ts';
import type { Session } from '../mysql/session.ts';
import type { ByteRate } from '../throttle/byte-rate.ts';
import type { StorageTarget } from '../storage/target.ts';
import { ZstdCompress } from './zstd-compress.ts';

function compressor(compress: Compression, level: number | undefined, small: boolean): Transform | null {
  // zlib's default 16 KB output buffer would take ~30 thread-pool trips per 1 MB written.
  if (compress === 'gzip') return createGzip({ level: level ?? 1, chunkSize: 512 * 1024 });
  // zstd contexts come from a pool (see ZstdCompress): a new one per file cost more than compressing.
  // Level 1 by default: on sbtest rows it is both faster and smaller than 3 (docs/benchmarks.md).
  if (compress === 'zstd') return new ZstdCompress(level ?? 1, small);
  return null;
}

/**
 * Streams one chunk from the server to its file: rows → INSERT encoder → compressor → encryptor → hasher →
 * target, under one `pipeline`, so a slow disk or upload slows the reader and memory stays flat.
 * The target makes the file visible under its name only once it is whole (a local file: fsynced and
 * renamed; an object: its upload completed with the sha256 as metadata), except a group of small
 * chunks (`ChunkGroupFiles`), whose files are made durable together before any is journaled.
 */
export async function writeChunk(options: {
  session: Session;
  target: Pick<StorageTarget, 'openWrite'>;
  spec: ChunkSpec;
  /** Encrypt the file (after compression, before hashing: the manifest records the stored bytes). */
  encrypt?: DumpKey | null;
  compress: Compression;
  compressLevel?: number | undefined;
  /** @default "sql" */
  format?: DataFormat;
  statementBytes: number;
  signal?: AbortSignal | undefined;
  /** Shared by the dump's workers: the raw rows pass at this rate (`--max-rate`). */
  rate?: ByteRate | null;
  onRows?: (rows: number) => void;
  /** A small table's chunk (a group's): compressed on this thread, see ZstdCompress. */
  small?: boolean;
}): Promise<ChunkResult> {
  const { session, target, spec } = options;
  const started = performance.now();

  const onRows = options.onRows ?? (() => undefined);
  // The encoder's bytes go to the file as they are: its buffers may be lent to the writer, and a tsv
  // file's hash is its content hash. Not through a compressor or an encryptor.
  const plainFile = options.compress === 'none' && !options.encrypt;
  let encoder: InsertEncoder | TsvEncoder;
  if (options.format === 'tsv') {
    // A tsv file is rows only (LOAD DATA would read a header as data); its range is in the manifest.
    encoder = new TsvEncoder(spec, plainFile, onRows);
  } else {
    const header =
      `-- paradump chunk ${spec.index} of ${commentSafe(qualified(spec.database, spec.table))}\n` +
      `-- range: ${commentSafe(describeRange(spec.keyColumns, spec.lower, spec.upper))} (lower inclusive, upper exclusive)\n` +
      DATA_PREAMBLE;
    encoder = new InsertEncoder(spec, header, options.statementBytes, onRows, plainFile);
  }
  const hasher = new ByteHasher();
  const { stream } = session.streamRaw(chunkSelect(spec));
  const zip = compressor(options.compress, options.compressLevel, options.small ?? false);
  const sink = target.openWrite(spec.file);
  let digests: [string, string | null];
  try {
    const rows = options.rate ? [stream, options.rate.rowBatches(options.signal)] : [stream];
    const seal = options.encrypt ? [new EncryptStream(options.encrypt)] : [];
    const stages = [...rows, encoder, ...(zip ? [zip] : []), ...seal, hasher, sink.stream];
    // @ts-expect-error -- pipeline's overloads do not cover a computed list of stages
    await pipeline(...stages, options.signal ? { signal: options.signal } : {});
    digests = await Promise.all([hasher.digest(), encoder.contentDigest()]);
    await sink.commit({ sha256: digests[0], bytes: hasher.bytes });
  } catch (error) {
    stream.destroy();
    hasher.discard();
    encoder.discardDigest();
    await sink.abort();
    throw error;
  }
  const [sha256, content] = digests;
  if (content === null) throw new Error('unreachable: an xxh3-128 content hash is always computed');
  return { rows: encoder.rows, bytes: hasher.bytes, sha256, contentXxh3: content, durationMs: Math.round(performance.now() - started) };
}

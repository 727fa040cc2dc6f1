import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chunkSelect, type ChunkSpec } from '../core/chunk-spec.ts';
import { InsertEncoder } from '../core/insert-encoder.ts';
import type { DataFormat } from '../core/dump-options.ts';
import { TsvEncoder } from '../core/tsv-encoder.ts';
import type { ContentHashAlgorithm } from '../core/content-hash.ts';
import type { Session } from '../mysql/session.ts';

/**
 * The content hash of a key range as it is now on a server, computed exactly as the dump computed
 * its chunk's (same SELECT, same encoder, the chunk's algorithm), without writing anything. `session` must come from
 * `openReader`. Verify compares it with the manifest to find changed ranges.
 */
export async function hashRangeContent({
  session,
  spec,
  format = 'sql',
  algorithm,
  signal,
}: {
  session: Session;
  spec: Omit<ChunkSpec, 'file' | 'index'>;
  /** The dump's format: the content hash is over the rows as that format writes them. */
  format?: DataFormat;
  /** The algorithm the chunk's hash was recorded with (`recordedContentHash`). */
  algorithm: ContentHashAlgorithm;
  signal?: AbortSignal;
}): Promise<{ rows: number; content: string }> {
  const encoder = format === 'tsv' ? new TsvEncoder(spec, false, () => undefined, algorithm) : new InsertEncoder({ ...spec, index: 0, file: '' }, '', Number.MAX_SAFE_INTEGER, () => undefined, false, algorithm);
  const { stream } = session.streamRaw(chunkSelect(spec));
  const drain = new Writable({ write: (_chunk, _enc, done) => done() });
  try {
    await pipeline(stream, encoder, drain, signal ? { signal } : {});
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const digest = await encoder.contentDigest();
  if (digest === null) throw new Error('unreachable: the range encoder always hashes');
  return { rows: encoder.rows, content: digest };
}

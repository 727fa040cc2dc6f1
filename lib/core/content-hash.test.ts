import { createHash, randomBytes } from 'node:crypto';
import { xxh3 } from '@node-rs/xxhash';
import { describe, expect, it } from 'vitest';
import { newContentHash, recordedContentHash, XXH3_BLOCK_BYTES } from './content-hash.ts';

async function hashInPieces(algorithm: 'sha256' | 'xxh3-128', data: Buffer, piece: number): Promise<string> {
  const hash = newContentHash(algorithm);
  for (let off = 0; off < data.length; off += piece) {
    const wait = hash.update(data.subarray(off, Math.min(off + piece, data.length)));
    if (wait) await wait;
  }
  return hash.digest();
}

/** The definition in content-hash.ts, written out plainly. */
function reference(data: Buffer): string {
  const hex = (v: bigint) => v.toString(16).padStart(32, '0');
  if (data.length <= XXH3_BLOCK_BYTES) return hex(xxh3.xxh128(data));
  const digests: Buffer[] = [];
  for (let off = 0; off < data.length; off += XXH3_BLOCK_BYTES) digests.push(Buffer.from(hex(xxh3.xxh128(data.subarray(off, off + XXH3_BLOCK_BYTES))), 'hex'));
  return hex(xxh3.xxh128(Buffer.concat(digests)));
}

describe('content hash', () => {
  it('xxh3-128 is the same for any split of the input: plain xxh3-128 up to one block, of the block digests beyond', async () => {
    const data = randomBytes(3 * XXH3_BLOCK_BYTES + 1234);
    for (const total of [0, 1, 1000, XXH3_BLOCK_BYTES, XXH3_BLOCK_BYTES + 1, 2 * XXH3_BLOCK_BYTES, data.length]) {
      const part = data.subarray(0, total);
      const want = reference(part);
      for (const piece of [777, 65_536, XXH3_BLOCK_BYTES, XXH3_BLOCK_BYTES + 5, Math.max(total, 1)]) {
        expect(await hashInPieces('xxh3-128', part, piece)).toBe(want);
      }
    }
    // xxhsum -H2 of "hello" (XXH128): what a reader can check a small chunk's content with.
    expect(await hashInPieces('xxh3-128', Buffer.from('hello'), 5)).toBe('b5e9c1ad071b3e7fc779cfaa5e523818');
  });

  it('sha256 for old dumps, and each chunk names its algorithm', async () => {
    const data = randomBytes(200_000);
    expect(await hashInPieces('sha256', data, 50_000)).toBe(createHash('sha256').update(data).digest('hex'));
    expect(recordedContentHash({ contentSha256: 'a'.repeat(64) })).toEqual({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    expect(recordedContentHash({ contentXxh3: 'b'.repeat(32) })).toEqual({ algorithm: 'xxh3-128', hex: 'b'.repeat(32) });
  });
});

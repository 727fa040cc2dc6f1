import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ByteHasher, INLINE_HASH_BYTES, Sha256 } from './sha256-thread.ts';

function reference(parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

describe('sha256 on the hashing thread', () => {
  it('equals node:crypto for any split of the input, empty input included', async () => {
    expect(await new Sha256().digest()).toBe(createHash('sha256').digest('hex'));
    const data = randomBytes(5 * 1024 * 1024 + 17);
    for (const sizes of [[1], [4096, 1], [1024 * 1024], [3 * 1024 * 1024 - 1, 7], [data.length]]) {
      const hash = new Sha256();
      const parts: Uint8Array[] = [];
      let off = 0;
      for (let i = 0; off < data.length; i++) {
        const n = Math.min(sizes[i % sizes.length]! * (1 + (i % 3)), data.length - off);
        parts.push(data.subarray(off, off + n));
        off += n;
        const wait = hash.update(data.subarray(off - n, off));
        if (wait) await wait;
      }
      expect(await hash.digest()).toBe(reference(parts));
    }
  });

  it('hashes small inputs inline and moves to the thread when one grows past the limit', async () => {
    const data = randomBytes(3 * INLINE_HASH_BYTES);
    for (const total of [1, 1000, INLINE_HASH_BYTES, INLINE_HASH_BYTES + 1, 2 * INLINE_HASH_BYTES + 3]) {
      for (const piece of [700, INLINE_HASH_BYTES - 1, total]) {
        const hash = new Sha256();
        for (let off = 0; off < total; off += piece) {
          const wait = hash.update(data.subarray(off, Math.min(off + piece, total)));
          if (wait) await wait;
        }
        expect(await hash.digest()).toBe(reference([data.subarray(0, total)]));
      }
    }
    // A discarded inline hash gives its buffer back; the next one is not mixed with its bytes.
    const dropped = new Sha256();
    void dropped.update(data.subarray(0, 5000));
    dropped.discard();
    const next = new Sha256();
    void next.update(data.subarray(100, 200));
    expect(await next.digest()).toBe(reference([data.subarray(100, 200)]));
  });

  it('keeps many hashes apart when every slab is taken (producers wait, none is mixed up)', async () => {
    // 24 hashes × 3 MB each: more than the 8 shared slabs at once, so some updates must wait.
    const inputs = Array.from({ length: 24 }, () => randomBytes(3 * 1024 * 1024 + 5));
    const digests = await Promise.all(
      inputs.map(async (input) => {
        const hash = new Sha256();
        for (let off = 0; off < input.length; off += 700_000) {
          const wait = hash.update(input.subarray(off, off + 700_000));
          if (wait) await wait;
        }
        return hash.digest();
      }),
    );
    expect(digests).toEqual(inputs.map((i) => reference([i])));
  });

  it('a discarded hash frees its slab and leaves the others right', async () => {
    const dropped = new Sha256();
    void dropped.update(randomBytes(100_000));
    dropped.discard();
    const data = randomBytes(40 * 1024 * 1024);
    const hasher = new ByteHasher();
    const seen: Buffer[] = [];
    await pipeline(
      Readable.from((function* () {
        for (let off = 0; off < data.length; off += 1024 * 1024) yield data.subarray(off, off + 1024 * 1024);
      })()),
      hasher,
      new Writable({
        write(chunk: Buffer, _enc, done) {
          seen.push(chunk);
          done();
        },
      }),
    );
    expect(hasher.bytes).toBe(data.length);
    expect(Buffer.concat(seen).equals(data)).toBe(true);
    expect(await hasher.digest()).toBe(reference([data]));
  });
});

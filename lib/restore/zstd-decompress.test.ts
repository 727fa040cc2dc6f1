import { randomBytes, randomInt } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { ZstdDecompress } from './zstd-decompress.ts';

/** Decompresses `input` fed in pieces of the given sizes (cycled); the output and the sizes of its pieces. */
async function decompress(input: Buffer, sizes: number[]): Promise<{ out: Buffer; pieces: number[] }> {
  const parts: Buffer[] = [];
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = sizes[k % sizes.length]!;
    parts.push(input.subarray(i, i + n));
    i += n;
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    new ZstdDecompress(),
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return { out: Buffer.concat(out), pieces: out.map((b) => b.length) };
}

/** Data that compresses (repeats) but not to nothing (random runs). */
function sample(bytes: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  while (n < bytes) {
    const run = randomInt(2) === 0 ? randomBytes(randomInt(1, 200)) : Buffer.alloc(randomInt(1, 5000), 0x61 + randomInt(26));
    parts.push(run);
    n += run.length;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

describe('ZstdDecompress', () => {
  it('gives back the exact bytes, in 1 MiB pieces, whatever the input pieces and frames', async () => {
    const a = sample(2_500_000);
    const b = sample(700_000);
    // Two frames back to back, as concatenated .zst files are.
    const input = Buffer.concat([compress(a), compress(b)]);
    for (const sizes of [[input.length], [65_536], [1, 7, 4096, 333_333], [randomInt(1, 100_000)]]) {
      const { out, pieces } = await decompress(input, sizes);
      expect(out.equals(Buffer.concat([a, b]))).toBe(true);
      // Full pieces until the last.
      expect(pieces.slice(0, -1).every((n) => n === 1024 * 1024)).toBe(true);
    }
  });

  it('an empty file is empty; a truncated one is refused', async () => {
    expect((await decompress(Buffer.alloc(0), [1])).out.length).toBe(0);
    const whole = compress(sample(300_000));
    await expect(decompress(whole.subarray(0, whole.length - 10), [4096])).rejects.toThrow(/truncated/);
  });
});

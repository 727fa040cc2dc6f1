import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { decompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { ZstdCompress } from './zstd-compress.ts';

async function compressAll(parts: Buffer[], level = 3): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (out.push(chunk), done()) });
  await pipeline(Readable.from(parts), new ZstdCompress(level), sink);
  return Buffer.concat(out);
}

describe('ZstdCompress (pooled contexts)', () => {
  it('each file is one whole frame, also after a context was stopped mid-frame and reused', async () => {
    const big = Buffer.from('INSERT INTO t VALUES (1,"x");\n'.repeat(200_000));
    const first = await compressAll([big.subarray(0, 3_000_000), big.subarray(3_000_000)]);
    expect(decompress(first).equals(big)).toBe(true);
    // A stream destroyed mid-frame returns its context to the pool; the next file must not inherit the frame.
    const stopped = new ZstdCompress(3);
    stopped.write(big.subarray(0, 1_000_000));
    stopped.destroy();
    const small = Buffer.from('one small table\n');
    for (let i = 0; i < 3; i++) expect(decompress(await compressAll([small])).equals(small)).toBe(true);
    expect(decompress(await compressAll([])).length).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { KeyValue } from '../core/manifest.ts';
import { planChunks, type KeyProbe } from './plan-chunks.ts';

/** A probe over an in-memory sorted key list, counting the queries it answers. */
function probeOver(keys: bigint[] | string[][], kind: KeyProbe['keyKind']) {
  const calls = { bounds: 0, count: 0, walk: 0 };
  const isInt = typeof keys[0] === 'bigint';
  const asKey = (i: number): KeyValue[] =>
    isInt ? [(() => { const n = keys[i] as bigint; return Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? Number(n) : n.toString(); })()] : (keys[i] as string[]);
  const cmp = (a: KeyValue[], i: number) => {
    if (isInt) {
      const x = BigInt(a[0] as number | string);
      const y = keys[i] as bigint;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const y = keys[i] as string[];
    for (let j = 0; j < y.length; j++) {
      const av = a[j] as string;
      if (av !== y[j]!) return av < y[j]! ? -1 : 1;
    }
    return 0;
  };
  const probe: KeyProbe = {
    keyKind: kind,
    async integerBounds() {
      calls.bounds++;
      const k = keys as bigint[];
      return k.length === 0 ? null : { min: k[0]!, max: k[k.length - 1]! };
    },
    async countRows() {
      calls.count++;
      return BigInt(keys.length);
    },
    async keyAtOffset(from, offset) {
      calls.walk++;
      let start = 0;
      if (from) while (start < keys.length && cmp(from, start) > 0) start++;
      const i = start + offset;
      return i < keys.length ? asKey(i) : null;
    },
  };
  return { probe, calls };
}

/** Rows of each planned chunk, by scanning the keys with the chunk's bounds. */
function rowsPerChunk(keys: bigint[], chunks: Awaited<ReturnType<typeof planChunks>>): number[] {
  return chunks.map((c) => keys.filter((k) => (c.lower === null || k >= BigInt(c.lower[0] as number | string)) && (c.upper === null || k < BigInt(c.upper[0] as number | string))).length);
}

describe('planChunks', () => {
  it('cuts a dense integer key arithmetically into exact chunks', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => BigInt(i + 1));
    const { probe, calls } = probeOver(keys, 'integer');
    const chunks = await planChunks({ probe, chunkRows: 300 });
    expect(chunks.map((c) => [c.lower, c.upper])).toEqual([
      [null, [301]],
      [[301], [601]],
      [[601], [901]],
      [[901], null],
    ]);
    expect(rowsPerChunk(keys, chunks)).toEqual([300, 300, 300, 100]);
    expect(calls.walk).toBe(0);
  });

  it('walks a sparse integer key so no chunk is empty or giant', async () => {
    const keys = [-9223372036854775808n, -5n, 0n, 1n, 2n, 10n ** 15n, 9223372036854775807n, ...Array.from({ length: 500 }, (_, i) => 10n ** 12n + BigInt(i * 7))].sort((a, b) => (a < b ? -1 : 1));
    const { probe } = probeOver(keys, 'integer');
    const chunks = await planChunks({ probe, chunkRows: 100 });
    const rows = rowsPerChunk(keys, chunks);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(keys.length);
    expect(rows.slice(0, -1).every((r) => r === 100)).toBe(true);
    expect(rows.at(-1)).toBeGreaterThan(0);
    // Values beyond 2^53 stay exact as digit strings.
    expect(JSON.stringify(chunks)).not.toContain('e+');
  });

  it('handles BIGINT UNSIGNED extremes without precision loss', async () => {
    const keys = [0n, 1n, 18446744073709551614n, 18446744073709551615n];
    const { probe } = probeOver(keys, 'integer');
    const chunks = await planChunks({ probe, chunkRows: 2 });
    expect(chunks).toEqual([
      { index: 0, lower: null, upper: ['18446744073709551614'] },
      { index: 1, lower: ['18446744073709551614'], upper: null },
    ]);
  });

  it('keeps a small table in one chunk without counting', async () => {
    const { probe, calls } = probeOver([5n, 6n, 9n], 'integer');
    expect(await planChunks({ probe, chunkRows: 10 })).toEqual([{ index: 0, lower: null, upper: null }]);
    expect(calls.count).toBe(0);
  });

  it('gives an empty table one open chunk', async () => {
    const { probe } = probeOver([], 'integer');
    expect(await planChunks({ probe, chunkRows: 10 })).toEqual([{ index: 0, lower: null, upper: null }]);
  });

  it('walks composite keys with boundaries that chain', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => [String(Math.floor(i / 10)), `k${String(i % 10).padStart(2, '0')}`]);
    const { probe } = probeOver(keys, 'other');
    const chunks = await planChunks({ probe, chunkRows: 10 });
    expect(chunks).toHaveLength(3);
    expect(chunks[0]!.lower).toBeNull();
    expect(chunks[2]!.upper).toBeNull();
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.lower).toEqual(chunks[i - 1]!.upper);
    expect(chunks[1]!.lower).toEqual(['1', 'k00']);
  });

  it('a table without a key is one chunk', async () => {
    const { probe } = probeOver([], 'none');
    expect(await planChunks({ probe, chunkRows: 1 })).toEqual([{ index: 0, lower: null, upper: null }]);
  });

  it('validates chunkRows', async () => {
    const { probe } = probeOver([], 'none');
    await expect(planChunks({ probe, chunkRows: 0 })).rejects.toThrow(/chunkRows/);
  });
});

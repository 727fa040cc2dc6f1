import type { KeyValue } from '../core/manifest.ts';

export interface PlannedChunk {
  index: number;
  /** Inclusive; null = open (first chunk). */
  lower: KeyValue[] | null;
  /** Exclusive; null = open (last chunk). */
  upper: KeyValue[] | null;
}

/** What the planner needs to know about a table's key; the engine answers it with SQL. */
export interface KeyProbe {
  /** `integer` for a single-column integer key, where boundaries may be computed. */
  keyKind: 'integer' | 'other' | 'none';
  /** MIN and MAX of an integer key (as exact bigints), null when the table is empty. */
  integerBounds(): Promise<{ min: bigint; max: bigint } | null>;
  /** Exact row count (used only to prove an integer key dense). */
  countRows(): Promise<bigint>;
  /** The key of the row `offset` rows after the first row with key ≥ `from` (`from` null = table start), or null past the end. */
  keyAtOffset(from: KeyValue[] | null, offset: number): Promise<KeyValue[] | null>;
}

function asKeyValue(n: bigint): KeyValue {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** Chunks from their inner boundaries: first lower and last upper open, each upper the next lower. */
export function chunksFromBoundaries(boundaries: readonly KeyValue[][]): PlannedChunk[] {
  const chunks: PlannedChunk[] = [];
  for (let i = 0; i <= boundaries.length; i++) {
    chunks.push({ index: i, lower: i === 0 ? null : boundaries[i - 1]!, upper: i === boundaries.length ? null : boundaries[i]! });
  }
  return chunks;
}

/**
 * Splits a table into ranges of about `chunkRows` rows, with exact boundaries:
 * - a dense integer key (count = max − min + 1) is cut arithmetically, every chunk exactly chunkRows;
 * - any other key is walked through its index (`ORDER BY key LIMIT 1 OFFSET chunkRows`), so sparse
 *   or skewed keys never give empty or giant chunks;
 * - no usable key: one chunk, streamed.
 */
export async function planChunks({ probe, chunkRows, signal }: { probe: KeyProbe; chunkRows: number; signal?: AbortSignal }): Promise<PlannedChunk[]> {
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new TypeError('chunkRows must be a positive integer');
  if (probe.keyKind === 'none') return chunksFromBoundaries([]);

  if (probe.keyKind === 'integer') {
    const bounds = await probe.integerBounds();
    if (bounds === null) return chunksFromBoundaries([]);
    const span = bounds.max - bounds.min + 1n;
    const step = BigInt(chunkRows);
    // At most chunkRows distinct keys fit: one chunk, no counting needed.
    if (span <= step) return chunksFromBoundaries([]);
    const count = await probe.countRows();
    if (count === span) {
      const boundaries: KeyValue[][] = [];
      for (let b = bounds.min + step; b <= bounds.max; b += step) boundaries.push([asKeyValue(b)]);
      return chunksFromBoundaries(boundaries);
    }
    if (count <= step) return chunksFromBoundaries([]);
  }

  const boundaries: KeyValue[][] = [];
  let from: KeyValue[] | null = null;
  for (;;) {
    signal?.throwIfAborted();
    const next = await probe.keyAtOffset(from, chunkRows);
    if (next === null) break;
    boundaries.push(next);
    from = next;
  }
  return chunksFromBoundaries(boundaries);
}

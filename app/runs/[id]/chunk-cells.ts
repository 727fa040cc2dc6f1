import { formatRange } from '@/lib/runs/format-range.ts';
import type { ChunkView, TableView } from '@/lib/runs/schemas.ts';
import { formatBytes, formatCount, formatMs } from '../../_lib/format.ts';

/** A chunk cell's colour by state. */
export const CELL: Record<ChunkView['state'], string> = {
  pending: 'bg-zinc-200 dark:bg-zinc-700',
  running: 'bg-sky-500 animate-pulse',
  done: 'bg-emerald-500',
};

/** A chunk in words: the cell's label and the detail line. */
export function describeChunk(table: Pick<TableView, 'database' | 'table' | 'chunkKey'>, chunk: ChunkView): string {
  const parts = [
    `Chunk ${chunk.index} of ${table.database}.${table.table}`,
    chunk.state,
    formatRange({ chunkKey: table.chunkKey, lower: chunk.lower, upper: chunk.upper }),
    `${formatCount(chunk.rows)} rows`,
  ];
  if (chunk.state === 'done') parts.push(formatBytes(chunk.bytes));
  if (chunk.durationMs !== null) parts.push(formatMs(chunk.durationMs));
  if (chunk.worker !== null) parts.push(`worker ${chunk.worker}`);
  return parts.join(' · ');
}


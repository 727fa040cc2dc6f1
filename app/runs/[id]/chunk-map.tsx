'use client';

import { useState } from 'react';
import { formatRange } from '@/lib/runs/format-range.ts';
import type { ChunkView, TableView } from '@/lib/runs/schemas.ts';
import { cardClass } from '../../_components/ui.tsx';
import { formatBytes, formatCount, formatMs } from '../../_lib/format.ts';

const CELL: Record<ChunkView['state'], string> = {
  pending: 'bg-zinc-200 dark:bg-zinc-700',
  running: 'bg-sky-500 animate-pulse',
  done: 'bg-emerald-500',
};

export function describeChunk(table: TableView, chunk: ChunkView): string {
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

/** One cell per chunk, coloured by state; its range, rows, bytes, duration and worker on hover or focus. */
export function ChunkMap({ tables }: { tables: TableView[] }) {
  const [selected, setSelected] = useState<{ table: string; index: number } | null>(null);
  if (tables.length === 0) return <p className="text-sm text-zinc-500">No tables planned yet.</p>;
  return (
    <div className="space-y-4">
      <p className="flex flex-wrap gap-4 text-xs text-zinc-500" aria-hidden="true">
        <span className="inline-flex items-center gap-1">
          <span className={`inline-block h-3 w-3 rounded-sm ${CELL.pending}`} /> to do
        </span>
        <span className="inline-flex items-center gap-1">
          <span className={`inline-block h-3 w-3 rounded-sm ${CELL.running}`} /> being written
        </span>
        <span className="inline-flex items-center gap-1">
          <span className={`inline-block h-3 w-3 rounded-sm ${CELL.done}`} /> written
        </span>
      </p>
      {tables.map((table) => {
        const name = `${table.database}.${table.table}`;
        const done = table.chunks.filter((c) => c.state === 'done').length;
        const focused = selected?.table === name ? table.chunks.find((c) => c.index === selected.index) : undefined;
        return (
          <section key={name} aria-label={`Chunks of ${name}`} className={cardClass}>
            <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
              <h3 className="font-mono text-sm font-medium">
                {name}
                {table.targetDatabase && table.targetDatabase !== table.database ? <span className="font-normal text-zinc-500"> → {table.targetDatabase}.{table.table}</span> : null}
              </h3>
              <p className="text-xs text-zinc-500">
                {table.status === 'skipped' ? (
                  <span className="text-amber-700 dark:text-amber-400">skipped: {table.skip?.reason}</span>
                ) : (
                  <>
                    {done} of {table.chunks.length} chunks · key {table.chunkKey.length ? table.chunkKey.join(', ') : 'none (one streamed chunk)'} · ~{formatCount(table.rowsEstimate)} rows
                  </>
                )}
              </p>
            </div>
            <ul className="flex flex-wrap gap-1" role="list">
              {table.chunks.map((chunk) => {
                const label = describeChunk(table, chunk);
                return (
                  <li key={chunk.index}>
                    <button
                      type="button"
                      aria-label={label}
                      title={label}
                      onFocus={() => setSelected({ table: name, index: chunk.index })}
                      onMouseEnter={() => setSelected({ table: name, index: chunk.index })}
                      className={`block h-4 w-4 rounded-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-zinc-900 dark:focus-visible:outline-zinc-100 ${table.status === 'skipped' ? 'bg-amber-300 dark:bg-amber-700' : CELL[chunk.state]}`}
                    />
                  </li>
                );
              })}
            </ul>
            <p className="mt-2 min-h-5 font-mono text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
              {focused ? describeChunk(table, focused) : ''}
            </p>
          </section>
        );
      })}
    </div>
  );
}

'use client';

import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ChunkView, type TableSummary } from '@/lib/runs/schemas.ts';
import { cardClass, secondaryButtonClass } from '../../_components/ui.tsx';
import { formatCount } from '../../_lib/format.ts';
import { CELL, describeChunk } from './chunk-cells.ts';

/** Cells drawn at once: a table of 20,000 chunks is shown a window at a time. */
const WINDOW = 1_000;
/** A live table's chunks are fetched again at most this often, when its summary changed. */
const REFRESH_MS = 1_000;

const ChunkWindow = z.object({ total: z.number().int(), offset: z.number().int(), chunks: z.array(ChunkView) });
type ChunkWindow = z.infer<typeof ChunkWindow>;

/** One table's chunks, fetched from the server (the page's state holds only counts): a cell per chunk, details on hover or focus. */
export function TableChunks({ runId, table }: { runId: string; table: TableSummary }) {
  const name = `${table.database}.${table.table}`;
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<ChunkWindow | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const lastFetch = useRef(0);
  // Changes whenever a chunk of this table changes state or rows: the cue to fetch again.
  const version = `${table.counts.total}:${table.counts.done}:${table.counts.running}:${table.counts.rows}`;

  useEffect(() => {
    const controller = new AbortController();
    const params = new URLSearchParams({ database: table.database, table: table.table, offset: String(offset), limit: String(WINDOW) });
    // Throttled, not debounced: a live table's summary changes several times a second, and a
    // debounce would never fire while it does.
    const wait = Math.max(0, lastFetch.current + REFRESH_MS - Date.now());
    const timer = setTimeout(
      () => {
        lastFetch.current = Date.now();
        fetch(`/api/runs/${encodeURIComponent(runId)}/chunks?${params.toString()}`, { signal: controller.signal })
          .then((r) => (r.ok ? r.json() : null))
          .then((body: unknown) => {
            const parsed = ChunkWindow.safeParse(body);
            if (parsed.success) setData(parsed.data);
          })
          .catch(() => undefined);
      },
      wait,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [runId, table.database, table.table, offset, version]);

  const chunks = data?.chunks ?? [];
  const focused = selected === null ? undefined : chunks.find((c) => c.index === selected);
  const total = data?.total ?? table.counts.total;
  return (
    <section aria-label={`Chunks of ${name}`} className={cardClass}>
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
              {table.counts.done} of {table.counts.total} chunks · key {table.chunkKey.length ? table.chunkKey.join(', ') : 'none (one streamed chunk)'} · ~{formatCount(table.rowsEstimate)} rows
            </>
          )}
        </p>
      </div>
      <ul className="flex flex-wrap gap-1" role="list">
        {chunks.map((chunk) => {
          const label = describeChunk(table, chunk);
          return (
            <li key={chunk.index}>
              <button
                type="button"
                aria-label={label}
                title={label}
                onFocus={() => setSelected(chunk.index)}
                onMouseEnter={() => setSelected(chunk.index)}
                className={`block h-4 w-4 rounded-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-zinc-900 dark:focus-visible:outline-zinc-100 ${table.status === 'skipped' ? 'bg-amber-300 dark:bg-amber-700' : CELL[chunk.state]}`}
              />
            </li>
          );
        })}
      </ul>
      {total > WINDOW ? (
        <div className="mt-2 flex items-center gap-2 text-xs text-zinc-500">
          <button type="button" className={secondaryButtonClass} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - WINDOW))}>
            Previous chunks
          </button>
          <span>
            chunks {formatCount(offset)}–{formatCount(Math.min(total, offset + WINDOW) - 1)} of {formatCount(total)}
          </span>
          <button type="button" className={secondaryButtonClass} disabled={offset + WINDOW >= total} onClick={() => setOffset(offset + WINDOW)}>
            Next chunks
          </button>
        </div>
      ) : null}
      <p className="mt-2 min-h-5 font-mono text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {focused ? describeChunk(table, focused) : ''}
      </p>
    </section>
  );
}

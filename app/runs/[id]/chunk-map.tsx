'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { TableSummary } from '@/lib/runs/schemas.ts';
import { inputClass } from '../../_components/ui.tsx';
import { formatCount } from '../../_lib/format.ts';
import { CELL } from './chunk-cells.ts';
import { TableChunks } from './table-chunks.tsx';

/** Runs of this many tables or fewer show every table's chunks at once; larger ones a list to drill into. */
export const OPEN_ALL_TABLES = 4;
const ROW_PX = 40;

const name = (t: TableSummary) => `${t.database}.${t.table}`;

/**
 * The chunk map, summarised per table: a few tables show their chunks straight away; thousands are a
 * virtualised list (a few dozen rows in the DOM) whose rows drill into one table's chunks.
 */
export function ChunkMap({ runId, tables }: { runId: string; tables: TableSummary[] }) {
  if (tables.length === 0) return <p className="text-sm text-zinc-500">No tables planned yet.</p>;
  return (
    <div className="space-y-4">
      <Legend />
      {tables.length <= OPEN_ALL_TABLES ? tables.map((t) => <TableChunks key={name(t)} runId={runId} table={t} />) : <TableList runId={runId} tables={tables} />}
    </div>
  );
}

function Legend() {
  return (
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
  );
}

function TableList({ runId, tables }: { runId: string; tables: TableSummary[] }) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const shown = useMemo(() => (deferred ? tables.filter((t) => name(t).toLowerCase().includes(deferred)) : tables), [tables, deferred]);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 8 });
  const open = selected ? tables.find((t) => name(t) === selected) : undefined;
  const active = tables.filter((t) => t.counts.running > 0).length;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <label className="text-sm">
          <span className="block text-xs text-zinc-500">Find a table</span>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="db.table" className={inputClass} />
        </label>
        <p className="text-xs text-zinc-500" aria-live="polite">
          {shown.length === tables.length ? `${formatCount(tables.length)} tables` : `${formatCount(shown.length)} of ${formatCount(tables.length)} tables`} · {formatCount(active)} being written
        </p>
      </div>
      <div ref={scroller} className="h-96 overflow-auto rounded-lg border border-zinc-200 dark:border-zinc-800" role="list" aria-label="Tables of the run">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((item) => {
            const t = shown[item.index]!;
            return (
              <div key={name(t)} role="listitem" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                <TableRow table={t} selected={selected === name(t)} onSelect={() => setSelected(selected === name(t) ? null : name(t))} />
              </div>
            );
          })}
        </div>
      </div>
      {open ? <TableChunks runId={runId} table={open} /> : <p className="text-xs text-zinc-500">Pick a table to see its chunks.</p>}
    </div>
  );
}

function TableRow({ table, selected, onSelect }: { table: TableSummary; selected: boolean; onSelect: () => void }) {
  const { total, done, running } = table.counts;
  const percent = total ? Math.round((done / total) * 100) : 0;
  const status = table.status === 'skipped' ? `skipped: ${table.skip?.reason ?? ''}` : `${done} of ${total} chunks${running ? ` · ${running} being written` : ''} · ${formatCount(table.counts.rows)} rows`;
  return (
    <button
      type="button"
      onClick={onSelect}
      aria-expanded={selected}
      aria-label={`${name(table)}: ${status}`}
      className={`flex h-full w-full items-center gap-3 border-b border-zinc-100 px-3 text-left text-xs hover:bg-zinc-50 dark:border-zinc-900 dark:hover:bg-zinc-900 ${selected ? 'bg-sky-50 dark:bg-sky-950/40' : ''}`}
    >
      <span className="w-1/3 truncate font-mono">{name(table)}</span>
      <span className="h-2 flex-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
        <span className={`block h-full ${table.status === 'skipped' ? 'bg-amber-400' : 'bg-emerald-500'}`} style={{ width: `${table.status === 'skipped' ? 100 : percent}%` }} />
      </span>
      <span className="w-2/5 truncate text-right text-zinc-500">{status}</span>
    </button>
  );
}



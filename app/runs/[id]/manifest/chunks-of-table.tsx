import { formatRange } from '@/lib/runs/format-range.ts';
import type { ManifestPage } from '@/lib/runs/page-manifest.ts';
import { formatBytes, formatCount, formatMs } from '../../../_lib/format.ts';
import type { ManifestLink } from './manifest-link.ts';
import { Pager } from './pager.tsx';

/** The drilled-into table: its chunk key, then one page of its chunks with range, size, time and hashes. */
export function ChunksOfTable({ selected, link }: { selected: NonNullable<ManifestPage['selected']>; link: ManifestLink }) {
  const { table } = selected;
  return (
    <section id="chunks" aria-labelledby="chunks-heading" className="mt-8">
      <h2 id="chunks-heading" className="mb-1 text-lg font-medium">
        Chunks of <span className="font-mono">{table.database}.{table.table}</span>
      </h2>
      <p className="mb-3 text-sm text-zinc-500">
        Key {table.chunkKey.length ? `${table.chunkKey.join(', ')} (${table.chunkIndex})` : 'none: one streamed chunk'} · {table.engine ?? 'unknown engine'}
        {table.transactional ? '' : ' · not transactional: read while commits were blocked'}
      </p>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">
            Chunks of {table.database}.{table.table}
          </caption>
          <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">#</th>
              <th scope="col" className="px-3 py-2 font-medium">Key range</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Rows</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Bytes</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Time</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Worker</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Snapshot</th>
              <th scope="col" className="px-3 py-2 font-medium">sha256 (file)</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 font-mono text-xs dark:divide-zinc-800">
            {selected.chunks.map((ch) => (
              <tr key={ch.index}>
                <td className="px-3 py-1 tabular-nums">{ch.index}</td>
                <td className="px-3 py-1">{formatRange({ chunkKey: table.chunkKey, lower: ch.lower, upper: ch.upper })}</td>
                <td className="px-3 py-1 text-right tabular-nums">{formatCount(ch.rows)}</td>
                <td className="whitespace-nowrap px-3 py-1 text-right tabular-nums">{formatBytes(ch.bytes)}</td>
                <td className="whitespace-nowrap px-3 py-1 text-right tabular-nums">{formatMs(ch.durationMs)}</td>
                <td className="px-3 py-1 text-right tabular-nums">{ch.worker}</td>
                <td className="px-3 py-1 text-right tabular-nums">{ch.snapshot}</td>
                <td className="px-3 py-1" title={`${ch.file}\n${ch.contentXxh3 !== undefined ? `content xxh3-128 ${ch.contentXxh3}` : `content sha256 ${ch.contentSha256}`}`}>
                  {ch.sha256}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Pages of chunks" page={selected.chunkPage} pages={selected.chunkPages} href={(chunks) => link({ chunks }, '#chunks')} />
    </section>
  );
}

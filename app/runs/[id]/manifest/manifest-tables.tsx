import Link from 'next/link';
import type { ManifestPage } from '@/lib/runs/page-manifest.ts';
import { inputClass, secondaryButtonClass } from '../../../_components/ui.tsx';
import { formatBytes, formatCount } from '../../../_lib/format.ts';
import type { ManifestLink } from './manifest-link.ts';
import { Pager } from './pager.tsx';

/** One page of the manifest's tables matching the search, each a link to its chunks. */
export function ManifestTables({ shown, query, link }: { shown: ManifestPage; query: string; link: ManifestLink }) {
  const selected = shown.selected?.table ?? null;
  return (
    <section aria-labelledby="manifest-tables">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-4">
        <h2 id="manifest-tables" className="text-lg font-medium">
          Tables
        </h2>
        <form method="get" role="search" className="flex items-end gap-2">
          <label className="text-sm">
            <span className="block text-xs text-zinc-500">Search tables</span>
            <input type="search" name="q" defaultValue={query} placeholder="db.table" className={inputClass} />
          </label>
          <button type="submit" className={secondaryButtonClass}>
            Search
          </button>
        </form>
      </div>
      <p className="mb-2 text-sm text-zinc-500">
        {shown.matching} of {shown.total} tables
      </p>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Tables in the manifest</caption>
          <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Table</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Rows</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Bytes</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Chunks</th>
              <th scope="col" className="px-3 py-2 font-medium">Chunk key</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {shown.tables.map((t) => (
              <tr key={`${t.database}.${t.table}`}>
                <th scope="row" className="px-3 py-2 align-top font-normal">
                  <Link
                    href={link({ table: `${t.database}.${t.table}` }, '#chunks')}
                    aria-current={selected === t ? 'true' : undefined}
                    className="font-mono text-sky-700 hover:underline aria-[current=true]:font-semibold dark:text-sky-400"
                  >
                    {t.database}.{t.table}
                  </Link>
                  {t.skipped ? <span className="ml-2 text-xs text-amber-700">skipped: {t.skipped.reason}</span> : null}
                </th>
                <td className="px-3 py-2 text-right align-top tabular-nums">{formatCount(t.rows)}</td>
                <td className="px-3 py-2 text-right align-top tabular-nums">{formatBytes(t.bytes)}</td>
                <td className="px-3 py-2 text-right align-top tabular-nums">{t.chunks.length}</td>
                <td className="px-3 py-2 align-top font-mono text-xs">{t.chunkKey.length ? `${t.chunkKey.join(', ')} (${t.chunkIndex})` : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Pages of tables" page={shown.page} pages={shown.pages} href={(page) => link({ page })} />
    </section>
  );
}

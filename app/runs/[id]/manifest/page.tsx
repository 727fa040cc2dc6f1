import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { formatRange } from '@/lib/runs/format-range.ts';
import { describeError } from '@/lib/runs/errors.ts';
import { pageManifest } from '@/lib/runs/page-manifest.ts';
import { ManifestUnavailable, manifestForPage } from '../manifest-for-page.tsx';
import { cardClass, inputClass, PageTitle, secondaryButtonClass } from '../../../_components/ui.tsx';
import { formatBytes, formatCount, formatMs } from '../../../_lib/format.ts';

export const metadata: Metadata = { title: 'Manifest' };

const VERDICT: Record<string, string> = {
  instance: 'Consistent: one point in time',
  database: 'Consistent within each database',
  table: 'Consistent within each table',
  'chunk-set': 'Consistent within each snapshot (the run was resumed)',
  none: 'Not consistent: no locks were taken',
};

export default async function ManifestPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  await requireSession();
  const { id } = await params;
  const search = await searchParams;
  const query = (typeof search.q === 'string' ? search.q : '').trim().toLowerCase();
  const tableParam = typeof search.table === 'string' ? search.table : null;
  const pageParam = Number(typeof search.page === 'string' ? search.page : 1);
  const chunkPageParam = Number(typeof search.chunks === 'string' ? search.chunks : 1);
  const { loaded, words } = await manifestForPage({ id });
  if (!loaded) return <ManifestUnavailable title="Manifest" words={words} backTo={`/runs/${id}`} wide />;
  const { manifest, outDir } = loaded;
  const c = manifest.consistency;
  // Server-side paging and search: a manifest of 3000 tables renders 50 rows, not 21,000 nodes.
  const shown = pageManifest({ manifest, query, page: pageParam, table: tableParam, chunkPage: chunkPageParam });
  const tables = shown.tables;
  const selected = shown.selected?.table ?? null;
  const link = (params: { page?: number; table?: string | null; chunks?: number }, hash = '') => {
    const next = new URLSearchParams();
    if (query) next.set('q', query);
    const page = params.page ?? shown.page;
    if (page > 1) next.set('page', String(page));
    const table = params.table === undefined ? tableParam : params.table;
    if (table) next.set('table', table);
    if (params.chunks && params.chunks > 1) next.set('chunks', String(params.chunks));
    const text = next.toString();
    return `/runs/${id}/manifest${text ? `?${text}` : ''}${hash}`;
  };

  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <p className="text-sm text-zinc-500">
        <Link href={`/runs/${id}`} className="hover:underline">
          Run {id}
        </Link>{' '}
        / manifest
      </p>
      <PageTitle subtitle={<span className="font-mono text-xs">{outDir}</span>}>Manifest browser</PageTitle>

      <section aria-labelledby="consistency" className={`${cardClass} mb-6`}>
        <h2 id="consistency" className="text-lg font-medium">
          {VERDICT[c.consistentWithin]}
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{c.note}</p>
        <dl className="mt-3 grid gap-3 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-xs text-zinc-500">Binlog coordinates</dt>
            {c.binlog ? (
              <dd className="font-mono">
                {c.binlog.file}:{c.binlog.position}
              </dd>
            ) : c.snapshots.some((s) => s.binlog) ? (
              c.snapshots.map((s) => (
                <dd key={s.id} className="font-mono text-xs">
                  snapshot {s.id}: {s.binlog ? `${s.binlog.file}:${s.binlog.position}` : 'none'}
                </dd>
              ))
            ) : (
              <dd>none</dd>
            )}
          </div>
          <div>
            <dt className="text-xs text-zinc-500">GTID</dt>
            <dd className="font-mono break-all">{c.gtid ?? 'none'}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Source</dt>
            <dd>
              {manifest.source.flavor} {manifest.source.version} at {manifest.source.host}:{manifest.source.port}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Totals</dt>
            <dd>
              {manifest.totals.tables} tables · {formatCount(manifest.totals.chunks)} chunks · {formatCount(manifest.totals.rows)} rows · {formatBytes(manifest.totals.bytes)}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Data files</dt>
            <dd>
              {manifest.options.format === 'tsv' ? 'TSV (LOAD DATA; the target needs local_infile)' : 'SQL (INSERT statements)'} · {manifest.options.compress === 'none' ? 'uncompressed' : manifest.options.compress}
            </dd>
          </div>
        </dl>
        {manifest.resumedAt.length ? <p className="mt-2 text-xs text-zinc-500">Resumed {manifest.resumedAt.length} time(s): {c.snapshots.length} snapshots.</p> : null}
        <div className="mt-4 flex flex-wrap gap-2">
          <a href={`/api/runs/${id}/manifest`} download className={secondaryButtonClass}>
            Download manifest.json
          </a>
          <a href={`/api/runs/${id}/restore-kit`} download className={secondaryButtonClass}>
            Download restore kit
          </a>
          <a href={`/api/runs/${id}/summary`} download className={secondaryButtonClass}>
            Download summary
          </a>
        </div>
      </section>

      {manifest.warnings.length ? (
        <section aria-labelledby="manifest-warnings" className="mb-6">
          <h2 id="manifest-warnings" className="mb-2 text-lg font-medium">
            Warnings
          </h2>
          <ul className="space-y-1 text-sm">
            {manifest.warnings.map((w, i) => (
              <li key={i}>
                <span className="font-medium">{describeError(w.code).title}</span> <span className="font-mono text-xs text-zinc-500">{w.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

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
              {tables.map((t) => (
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
      {selected ? (
        <section id="chunks" aria-labelledby="chunks-heading" className="mt-8">
          <h2 id="chunks-heading" className="mb-1 text-lg font-medium">
            Chunks of <span className="font-mono">{selected.database}.{selected.table}</span>
          </h2>
          <p className="mb-3 text-sm text-zinc-500">
            Key {selected.chunkKey.length ? `${selected.chunkKey.join(', ')} (${selected.chunkIndex})` : 'none: one streamed chunk'} · {selected.engine ?? 'unknown engine'}
            {selected.transactional ? '' : ' · not transactional: read while commits were blocked'}
          </p>
          <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                Chunks of {selected.database}.{selected.table}
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
                {(shown.selected?.chunks ?? []).map((ch) => (
                  <tr key={ch.index}>
                    <td className="px-3 py-1 tabular-nums">{ch.index}</td>
                    <td className="px-3 py-1">{formatRange({ chunkKey: selected.chunkKey, lower: ch.lower, upper: ch.upper })}</td>
                    <td className="px-3 py-1 text-right tabular-nums">{formatCount(ch.rows)}</td>
                    <td className="whitespace-nowrap px-3 py-1 text-right tabular-nums">{formatBytes(ch.bytes)}</td>
                    <td className="whitespace-nowrap px-3 py-1 text-right tabular-nums">{formatMs(ch.durationMs)}</td>
                    <td className="px-3 py-1 text-right tabular-nums">{ch.worker}</td>
                    <td className="px-3 py-1 text-right tabular-nums">{ch.snapshot}</td>
                    <td className="px-3 py-1" title={`${ch.file}\ncontent sha256 ${ch.contentSha256}`}>
                      {ch.sha256}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.selected ? <Pager label="Pages of chunks" page={shown.selected.chunkPage} pages={shown.selected.chunkPages} href={(chunks) => link({ chunks }, '#chunks')} /> : null}
        </section>
      ) : null}
    </main>
  );
}

/** Previous / next links and where we are; nothing when everything fits on one page. */
function Pager({ label, page, pages, href }: { label: string; page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={label} className="mt-3 flex items-center gap-3 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={secondaryButtonClass} rel="prev">
          Previous
        </Link>
      ) : null}
      <span className="text-zinc-500">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} className={secondaryButtonClass} rel="next">
          Next
        </Link>
      ) : null}
    </nav>
  );
}

import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { pageManifest } from '@/lib/runs/page-manifest.ts';
import { ManifestUnavailable, manifestForPage } from '../manifest-for-page.tsx';
import { PageTitle } from '../../../_components/ui.tsx';
import { ChunksOfTable } from './chunks-of-table.tsx';
import { ConsistencySummary } from './consistency-summary.tsx';
import { manifestLink } from './manifest-link.ts';
import { ManifestTables } from './manifest-tables.tsx';
import { ManifestAccounts } from './manifest-accounts.tsx';
import { ManifestWarnings } from './manifest-warnings.tsx';

export const metadata: Metadata = { title: 'Manifest' };

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
  // Server-side paging and search: a manifest of 3000 tables renders 50 rows, not 21,000 nodes.
  const shown = pageManifest({ manifest, query, page: pageParam, table: tableParam, chunkPage: chunkPageParam });
  const link = manifestLink({ id, query, page: shown.page, table: tableParam });

  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <p className="text-sm text-zinc-500">
        <Link href={`/runs/${id}`} className="hover:underline">
          Run {id}
        </Link>{' '}
        / manifest
      </p>
      <PageTitle subtitle={<span className="font-mono text-xs">{outDir}</span>}>Manifest browser</PageTitle>
      <ConsistencySummary manifest={manifest} runId={id} />
      <ManifestWarnings warnings={manifest.warnings} />
      <ManifestAccounts accounts={manifest.accounts} />
      <ManifestTables shown={shown} query={query} link={link} />
      {shown.selected ? <ChunksOfTable selected={shown.selected} link={link} /> : null}
    </main>
  );
}

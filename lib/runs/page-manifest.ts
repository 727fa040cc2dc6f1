import type { Manifest } from '../core/manifest.ts';

/** Tables per page of the manifest browser, and chunks per page of one table. */
export const MANIFEST_PAGE_SIZE = 50;
export const CHUNK_PAGE_SIZE = 200;

type ManifestTable = Manifest['tables'][number];

export interface ManifestPage {
  /** This page's tables of those matching the search. */
  tables: ManifestTable[];
  /** How many tables match the search, of `total`. */
  matching: number;
  total: number;
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** The table drilled into, with one page of its chunks. */
  selected: { table: ManifestTable; chunks: ManifestTable['chunks']; chunkPage: number; chunkPages: number } | null;
}

const clamp = (n: number, pages: number) => Math.min(Math.max(1, Number.isInteger(n) ? n : 1), Math.max(1, pages));

/**
 * One page of a manifest's tables matching `query` (a case-insensitive part of `db.table`), and one
 * page of the chunks of the table named `table`: the page never renders thousands of rows at once.
 */
export function pageManifest({ manifest, query = '', page = 1, table = null, chunkPage = 1 }: { manifest: Manifest; query?: string; page?: number; table?: string | null; chunkPage?: number }): ManifestPage {
  const q = query.trim().toLowerCase();
  const matching = q ? manifest.tables.filter((t) => `${t.database}.${t.table}`.toLowerCase().includes(q)) : manifest.tables;
  const pages = Math.max(1, Math.ceil(matching.length / MANIFEST_PAGE_SIZE));
  const current = clamp(page, pages);
  const found = table === null ? undefined : manifest.tables.find((t) => `${t.database}.${t.table}` === table);
  let selected: ManifestPage['selected'] = null;
  if (found) {
    const chunkPages = Math.max(1, Math.ceil(found.chunks.length / CHUNK_PAGE_SIZE));
    const cp = clamp(chunkPage, chunkPages);
    selected = { table: found, chunks: found.chunks.slice((cp - 1) * CHUNK_PAGE_SIZE, cp * CHUNK_PAGE_SIZE), chunkPage: cp, chunkPages };
  }
  return { tables: matching.slice((current - 1) * MANIFEST_PAGE_SIZE, current * MANIFEST_PAGE_SIZE), matching: matching.length, total: manifest.tables.length, page: current, pages, selected };
}

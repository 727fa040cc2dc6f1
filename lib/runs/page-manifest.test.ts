import { describe, expect, it } from 'vitest';
import type { Manifest } from '../core/manifest.ts';
import { CHUNK_PAGE_SIZE, MANIFEST_PAGE_SIZE, pageManifest } from './page-manifest.ts';

// Only the fields paging reads: the tables' names and chunks.
const manifest = {
  tables: Array.from({ length: 3016 }, (_, t) => ({
    database: t < 3000 ? 'many' : 'sakila',
    table: t < 3000 ? `t${String(t).padStart(4, '0')}` : `film${t - 3000}`,
    chunks: Array.from({ length: t === 0 ? 450 : 1 }, (_, index) => ({ index })),
  })),
} as unknown as Manifest;

describe('pageManifest', () => {
  it('gives one page of tables, clamped to the pages there are', () => {
    const first = pageManifest({ manifest });
    expect(first).toMatchObject({ matching: 3016, total: 3016, page: 1, pages: Math.ceil(3016 / MANIFEST_PAGE_SIZE), selected: null });
    expect(first.tables).toHaveLength(MANIFEST_PAGE_SIZE);
    const last = pageManifest({ manifest, page: 10_000 });
    expect(last.page).toBe(last.pages);
    expect(last.tables.at(-1)?.table).toBe('film15');
    expect(pageManifest({ manifest, page: Number.NaN }).page).toBe(1);
  });

  it('searches by a part of db.table, case-insensitively', () => {
    const found = pageManifest({ manifest, query: 'SAKILA.film1' });
    expect(found.matching).toBe(7);
    expect(found.tables.map((t) => t.table)).toEqual(['film1', 'film10', 'film11', 'film12', 'film13', 'film14', 'film15']);
    expect(pageManifest({ manifest, query: 'nothing' })).toMatchObject({ matching: 0, pages: 1, tables: [] });
  });

  it('pages the chunks of the table drilled into', () => {
    const page = pageManifest({ manifest, table: 'many.t0000', chunkPage: 3 });
    expect(page.selected).toMatchObject({ chunkPage: 3, chunkPages: 3 });
    expect(page.selected?.chunks).toHaveLength(450 - 2 * CHUNK_PAGE_SIZE);
    expect(pageManifest({ manifest, table: 'many.nope' }).selected).toBeNull();
  });
});

/** Where a link on the manifest browser goes: the search and the drilled table kept unless changed. */
export type ManifestLink = (change: { page?: number; table?: string | null; chunks?: number }, hash?: string) => string;

export function manifestLink({ id, query, page, table }: { id: string; query: string; page: number; table: string | null }): ManifestLink {
  return (change, hash = '') => {
    const next = new URLSearchParams();
    if (query) next.set('q', query);
    const toPage = change.page ?? page;
    if (toPage > 1) next.set('page', String(toPage));
    const toTable = change.table === undefined ? table : change.table;
    if (toTable) next.set('table', toTable);
    if (change.chunks && change.chunks > 1) next.set('chunks', String(change.chunks));
    const text = next.toString();
    return `/runs/${id}/manifest${text ? `?${text}` : ''}${hash}`;
  };
}

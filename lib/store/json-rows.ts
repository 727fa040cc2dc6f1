import type { StoreProvider } from './database-url.ts';

/** A column's type in a JSON row: what PostgreSQL casts the text to (SQLite's json_extract keeps JSON's own types). */
export type JsonColumn = 'text' | 'integer' | 'bigint' | 'float';

const PG_TYPE: Record<JsonColumn, string> = { text: 'text', integer: 'integer', bigint: 'bigint', float: 'double precision' };

/**
 * `SELECT <columns> FROM <rows>` over one bound parameter holding a JSON array of row arrays, for
 * set-based writes: a statement binds one value whatever its row count, so neither SQLite's nor
 * PostgreSQL's limit on bound parameters is ever reached. `names` gives the columns aliases.
 */
export function selectJsonRows({ provider, columns, names }: { provider: StoreProvider; columns: readonly JsonColumn[]; names?: readonly string[] }): string {
  const as = (i: number) => (names?.[i] ? ` AS "${names[i]}"` : '');
  if (provider === 'sqlite') {
    return `SELECT ${columns.map((_, i) => `json_extract(value, '$[${i}]')${as(i)}`).join(', ')} FROM json_each(?) WHERE true`;
  }
  return `SELECT ${columns.map((type, i) => `(value->>${i})::${PG_TYPE[type]}${as(i)}`).join(', ')} FROM json_array_elements($1::json) AS value`;
}

/** The n-th (1-based) bound parameter in a raw statement. */
export function parameter(provider: StoreProvider, n: number): string {
  return provider === 'sqlite' ? '?' : `$${n}`;
}

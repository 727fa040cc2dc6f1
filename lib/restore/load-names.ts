import { encodingFor } from '../core/column-kind.ts';
import type { ConnectionNames, TargetConnection } from './target-connection.ts';

/**
 * The connection charset a table's data files load under: `binary` when every column reads a
 * binary literal as it reads the same bytes sent as utf8mb4. The dump wrote each value as
 * `encodingFor` says: numbers and dates parse the same either way; `_latin1'…'`, `_binary'…'` and
 * `X'…'` literals name their own charset; a plain quoted literal going into a column with a
 * charset is taken byte for byte (checked for well-formedness like any input). What is left is a
 * plain quoted literal for a column without a charset, where a binary string has a meaning of its
 * own: MariaDB's INET6 / UUID / INET4 take it as the packed form (a 16-character IPv6 text such as
 * `1111:2222:3333::` would load as other bytes), MySQL's JSON refuses it, and any other such type
 * is not guessed at.
 */
export function loadNames(columns: readonly { dataType: string; charset: string | null }[]): ConnectionNames {
  const ok = columns.every((c) => c.charset !== null || encodingFor(c.dataType, c.charset) !== 'utf8');
  return ok && columns.length > 0 ? 'binary' : 'utf8mb4';
}

/** `loadNames` of every table in `database` on the target, by table name (one query per database). */
export async function loadNamesOfDatabase(conn: TargetConnection, database: string): Promise<Map<string, ConnectionNames>> {
  const rows = await conn.query<{ t: string; type: string; cs: string | null }>(
    'SELECT TABLE_NAME AS t, DATA_TYPE AS type, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
    [database],
  );
  const byTable = new Map<string, { dataType: string; charset: string | null }[]>();
  for (const r of rows) {
    const cols = byTable.get(r.t) ?? [];
    cols.push({ dataType: r.type, charset: r.cs });
    byTable.set(r.t, cols);
  }
  return new Map([...byTable].map(([t, cols]) => [t, loadNames(cols)]));
}

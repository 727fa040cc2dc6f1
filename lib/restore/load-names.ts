import type { ConnectionNames, TargetConnection } from './target-connection.ts';

/**
 * Column types that read a `binary` literal exactly as they read the same bytes sent as utf8mb4:
 * numbers and dates parse the text either way; text columns with a charset take a binary string's
 * bytes as they are (checked for well-formedness like any input); `_latin1'…'`, `_binary'…'` and
 * `X'…'` literals name their own charset. Left out on purpose: types that give a binary string its
 * own meaning — MariaDB's INET6 / UUID / INET4 take a binary string as the packed form (a 16-char
 * IPv6 text such as `1111:2222:3333::` would load as other bytes), MySQL's JSON refuses a binary
 * string — and any type not listed here.
 */
const SAME_UNDER_BINARY = new Set([
  'tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real', 'year',
  'date', 'time', 'datetime', 'timestamp',
  'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob',
  'bit', 'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection',
]);
const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);

/** The connection charset a table's data files load under: `binary` when every column allows it. */
export function loadNames(columns: readonly { dataType: string; charset: string | null }[]): ConnectionNames {
  const ok = columns.every((c) => {
    const type = c.dataType.toLowerCase();
    return SAME_UNDER_BINARY.has(type) || (TEXT_TYPES.has(type) && c.charset !== null);
  });
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

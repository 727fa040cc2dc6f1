/**
 * How a column's raw text-protocol bytes are written back as an SQL literal. Decided once per column
 * from information_schema, so the row path does no type inspection.
 */
export type ValueEncoding =
  /** Digits as sent (integers, DECIMAL, FLOAT/DOUBLE, YEAR): written unquoted. */
  | 'number'
  /** Text in a UTF-8 charset (or ASCII): a quoted, escaped literal. */
  | 'utf8'
  /** Text in another ASCII-compatible charset: `_latin1'…'` keeps the bytes and names their charset. */
  | 'charset'
  /** Text in a charset that is not ASCII-compatible (ucs2, utf16, utf32): `_utf16 X'…'`. */
  | 'charset-hex'
  /** Binary strings: `_binary'…'`, escaped (half the size of hex). */
  | 'binary'
  /** BIT and spatial values: `X'…'`. */
  | 'hex'
  /** Dates and times: quoted as sent (always ASCII). */
  | 'quoted';

export interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
  charset: string | null;
  collation: string | null;
  nullable: boolean;
  generated: boolean;
  invisible: boolean;
  encoding: ValueEncoding;
}

const NUMBER_TYPES = new Set([
  'tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real', 'year',
]);
const TEMPORAL_TYPES = new Set(['date', 'time', 'datetime', 'timestamp']);
const SPATIAL_TYPES = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const UTF8_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'ascii']);
const NON_ASCII_COMPATIBLE = new Set(['ucs2', 'utf16', 'utf16le', 'utf32']);

export function encodingFor(dataType: string, charset: string | null): ValueEncoding {
  const type = dataType.toLowerCase();
  if (NUMBER_TYPES.has(type)) return 'number';
  if (TEMPORAL_TYPES.has(type)) return 'quoted';
  if (type === 'bit' || SPATIAL_TYPES.has(type)) return 'hex';
  if (BINARY_TYPES.has(type) || charset === 'binary') return 'binary';
  // MySQL's JSON type is sent as utf8mb4 text; MariaDB's JSON is LONGTEXT. UUID/INET6 and other
  // extension types arrive as ASCII text.
  if (charset === null) return 'utf8';
  const cs = charset.toLowerCase();
  if (UTF8_CHARSETS.has(cs)) return 'utf8';
  if (NON_ASCII_COMPATIBLE.has(cs)) return 'charset-hex';
  return 'charset';
}

/** Integer types usable for arithmetic chunk boundaries. */
export function isIntegerType(dataType: string): boolean {
  return ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'].includes(dataType.toLowerCase());
}

/** FLOAT/DOUBLE keys compare inexactly as text: never chunk on them. */
export function isChunkableKeyType(dataType: string): boolean {
  const t = dataType.toLowerCase();
  return !['float', 'double', 'real', 'json'].includes(t) && !SPATIAL_TYPES.has(t) && !/blob|text/.test(t);
}

/**
 * What the dump SELECTs for a column. FLOAT is the one type whose text form is lossy (the server
 * prints 6 significant digits); widened to DOUBLE it prints exactly, and loading rounds back to the
 * same float.
 */
export function selectExpression(column: Pick<ColumnInfo, 'name' | 'dataType'>, quotedName: string): string {
  return column.dataType.toLowerCase() === 'float' ? `CAST(${quotedName} AS DOUBLE)` : quotedName;
}

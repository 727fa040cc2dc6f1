import { selectExpression, type ColumnInfo } from './column-kind.ts';
import type { KeyValue } from './manifest.ts';
import { orderBy, rangeCondition, type KeyColumn } from './range-sql.ts';
import { qualified, quoteId } from './sql-names.ts';

export interface ChunkSpec {
  database: string;
  table: string;
  index: number;
  lower: KeyValue[] | null;
  upper: KeyValue[] | null;
  /** Columns in the INSERT (generated ones left out). */
  columns: ColumnInfo[];
  keyColumns: KeyColumn[];
  /** Index to read the range through (FORCE INDEX), null for the primary key or no key. */
  forceIndex: string | null;
  /** Relative path of the data file. */
  file: string;
}

export interface ChunkResult {
  rows: number;
  bytes: number;
  sha256: string;
  /** The rows' content hash, xxh3-128 (lib/core/content-hash.ts). */
  contentXxh3: string;
  durationMs: number;
}

/** The SELECT that reads one chunk, in key order. */
export function chunkSelect(spec: Pick<ChunkSpec, 'database' | 'table' | 'columns' | 'keyColumns' | 'forceIndex' | 'lower' | 'upper'>): string {
  const cols = spec.columns.map((c) => selectExpression(c, quoteId(c.name))).join(', ');
  const force = spec.forceIndex ? ` FORCE INDEX (${quoteId(spec.forceIndex)})` : '';
  if (spec.keyColumns.length === 0) return `SELECT ${cols} FROM ${qualified(spec.database, spec.table)}`;
  return `SELECT ${cols} FROM ${qualified(spec.database, spec.table)}${force} WHERE ${rangeCondition(spec.keyColumns, spec.lower, spec.upper)} ORDER BY ${orderBy(spec.keyColumns)}`;
}

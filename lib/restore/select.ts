import { ParadumpError } from '../core/errors.ts';
import type { ChunkRecord, DatabaseRecord, KeyValue, Manifest, ObjectRecord, TableRecord } from '../core/manifest.ts';
import { globToRegExp, isPattern, splitQualified } from '../core/patterns.ts';
import { keyLiteral } from '../core/range-sql.ts';
import type { ChunkSelection } from './options.ts';

export interface SelectedTable {
  record: TableRecord;
  targetDatabase: string;
  /** The chunks to load, in manifest order. */
  chunks: ChunkRecord[];
  /** Partial restore of a key range: only rows in it are replaced. */
  keyRange: { lower: KeyValue[] | null; upper: KeyValue[] | null } | null;
}

export interface SelectedDatabase {
  record: DatabaseRecord;
  targetDatabase: string;
  /** Sequences to create before the tables. */
  sequences: ObjectRecord[];
  /** Views, routines, triggers and events to create after the data, in manifest order. */
  objects: ObjectRecord[];
}

export interface Selection {
  databases: SelectedDatabase[];
  tables: SelectedTable[];
  /** `chunks` was given: part of one table is replaced in place. */
  partial: boolean;
  /** Tables left out because the dump skipped them. */
  skipped: { database: string; table: string; reason: string }[];
}

function matcher(entries: readonly string[]): (name: string) => boolean {
  const exact = new Set(entries.filter((e) => !isPattern(e)));
  const patterns = entries.filter(isPattern).map(globToRegExp);
  return (name) => exact.has(name) || patterns.some((p) => p.test(name));
}

/**
 * Decides what a restore (or verify, or pitr) covers: which databases under which target names,
 * which tables and chunks, which objects. Every name given that the dump does not hold is refused
 * by name, before anything touches a server.
 */
export function selectFromManifest(args: {
  manifest: Manifest;
  rename: Record<string, string>;
  databases: readonly string[];
  tables: readonly string[];
  chunks?: ChunkSelection | undefined;
  objects: boolean;
}): Selection {
  const { manifest, rename } = args;
  const dumped = manifest.databases.map((d) => d.name);
  const list = dumped.length ? dumped.join(', ') : '(none)';
  for (const from of Object.keys(rename)) {
    if (!dumped.includes(from)) throw new ParadumpError('UNKNOWN_DATABASE', `rename: database "${from}" is not in the dump (it holds: ${list})`, { details: { database: from } });
  }
  for (const name of args.databases) {
    if (!isPattern(name) && !dumped.includes(name)) throw new ParadumpError('UNKNOWN_DATABASE', `database "${name}" is not in the dump (it holds: ${list})`, { details: { database: name } });
  }
  for (const t of args.tables) {
    if (isPattern(t)) continue;
    const { database, table } = splitQualified(t);
    const known = manifest.tables.some((r) => r.database === database && r.table === table) || manifest.databases.some((d) => d.name === database && d.objects.some((o) => o.type === 'sequence' && o.name === table));
    if (!known) throw new ParadumpError('UNKNOWN_TABLE', `table "${t}" is not in the dump`, { details: { database, table } });
  }

  const includeDb = args.databases.length > 0 ? matcher(args.databases) : () => true;
  const tableFilter = args.tables.length > 0 ? matcher(args.tables) : null;
  const databases = manifest.databases.filter((d) => includeDb(d.name) && (!tableFilter || manifest.tables.some((t) => t.database === d.name && tableFilter(`${t.database}.${t.table}`)) || d.objects.some((o) => o.type === 'sequence' && tableFilter(`${d.name}.${o.name}`))));

  const targetOf = (db: string) => rename[db] ?? db;
  const seen = new Map<string, string>();
  for (const d of databases) {
    const target = targetOf(d.name);
    const other = seen.get(target);
    if (other !== undefined) throw new ParadumpError('BAD_OPTION', `databases "${other}" and "${d.name}" would both be restored into "${target}"; rename one of them`, { details: { target } });
    seen.set(target, d.name);
  }

  const skipped: Selection['skipped'] = [];
  const tables: SelectedTable[] = [];
  for (const record of manifest.tables) {
    if (!databases.some((d) => d.name === record.database)) continue;
    if (tableFilter && !tableFilter(`${record.database}.${record.table}`)) continue;
    if (record.skipped) {
      skipped.push({ database: record.database, table: record.table, reason: record.skipped.reason });
      continue;
    }
    tables.push({ record, targetDatabase: targetOf(record.database), chunks: record.chunks, keyRange: null });
  }

  const selectedDbs: SelectedDatabase[] = databases.map((record) => {
    const sequences = record.objects.filter((o) => o.type === 'sequence' && (!tableFilter || tableFilter(`${record.name}.${o.name}`)));
    // A partial database (only some tables) gets no views, triggers, routines or events.
    const objects = args.objects && !tableFilter ? record.objects.filter((o) => o.type !== 'sequence') : [];
    return { record, targetDatabase: targetOf(record.name), sequences, objects };
  });

  if (args.chunks) {
    const exact = args.tables.filter((t) => !isPattern(t));
    if (args.tables.length !== 1 || exact.length !== 1 || tables.length !== 1) {
      throw new ParadumpError('BAD_OPTION', 'chunks: name exactly one table with tables (db.table, no pattern) to restore part of it');
    }
    const table = tables[0]!;
    table.chunks = pickChunks(table.record, args.chunks);
    table.keyRange = args.chunks.lower != null || args.chunks.upper != null ? { lower: args.chunks.lower ?? null, upper: args.chunks.upper ?? null } : null;
    for (const d of selectedDbs) d.sequences = [];
  }

  if (tables.length === 0 && selectedDbs.every((d) => d.sequences.length === 0 && d.objects.length === 0)) {
    throw new ParadumpError('BAD_OPTION', 'nothing to restore: the filters match no table of the dump');
  }
  return { databases: selectedDbs, tables, partial: args.chunks !== undefined, skipped };
}

function pickChunks(record: TableRecord, sel: ChunkSelection): ChunkRecord[] {
  const name = `${record.database}.${record.table}`;
  let chunks = record.chunks;
  if (sel.indexes) {
    const byIndex = new Map(chunks.map((c) => [c.index, c]));
    const last = chunks.length - 1;
    for (const i of sel.indexes) {
      if (!byIndex.has(i)) throw new ParadumpError('BAD_OPTION', `chunks: ${name} has no chunk ${i} (it has chunks 0 to ${last})`, { details: { table: name, index: i } });
    }
    const wanted = new Set(sel.indexes);
    chunks = chunks.filter((c) => wanted.has(c.index));
  }
  if (sel.lower != null || sel.upper != null) {
    const cols = record.chunkKeyColumns;
    if (cols.length === 0) throw new ParadumpError('BAD_OPTION', `chunks: ${name} has no key, so it cannot be restored by key range (restore it whole)`);
    for (const bound of [sel.lower, sel.upper]) {
      if (!bound) continue;
      if (bound.length !== cols.length) {
        throw new ParadumpError('BAD_OPTION', `chunks: the key of ${name} is (${cols.map((c) => c.name).join(', ')}): a bound needs ${cols.length} value${cols.length === 1 ? '' : 's'}, got ${bound.length}`);
      }
      bound.forEach((v, i) => {
        try {
          keyLiteral(cols[i]!, v);
        } catch (error) {
          throw new ParadumpError('BAD_OPTION', `chunks: ${(error as Error).message}`);
        }
      });
    }
    chunks = chunks.filter((c) => mayOverlap(record, c, sel.lower ?? null, sel.upper ?? null));
  }
  if (chunks.length === 0) throw new ParadumpError('BAD_OPTION', `chunks: no chunk of ${name} matches`);
  return chunks;
}

/**
 * Whether chunk [c.lower, c.upper) can hold keys of [lower, upper). Exact for integer keys; for
 * keys whose order is a collation's, every chunk is kept (the rows are filtered on the server).
 */
function mayOverlap(record: TableRecord, c: ChunkRecord, lower: KeyValue[] | null, upper: KeyValue[] | null): boolean {
  const ints = (v: readonly KeyValue[] | null) => (v === null ? null : v.every((x) => typeof x === 'number' || (typeof x === 'string' && /^-?\d+$/.test(x))) ? v.map((x) => BigInt(x as string | number)) : undefined);
  if (!record.chunkKeyColumns.every((k) => k.encoding === 'number')) return true;
  const [cl, cu, l, u] = [ints(c.lower), ints(c.upper), ints(lower), ints(upper)];
  if (cl === undefined || cu === undefined || l === undefined || u === undefined) return true;
  const cmp = (a: bigint[], b: bigint[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  };
  // Disjoint when the chunk ends at or before the range starts, or starts at or after it ends.
  if (cu !== null && l !== null && cmp(cu, l) <= 0) return false;
  if (cl !== null && u !== null && cmp(cl, u) >= 0) return false;
  return true;
}

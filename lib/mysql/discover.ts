import type { Session } from './session.ts';
import { encodingFor, isChunkableKeyType, isIntegerType, type ColumnInfo } from '../core/column-kind.ts';
import { fromDriverError } from './driver-error.ts';
import { ParadumpError } from '../core/errors.ts';
import { globToRegExp, isPattern, splitQualified } from '../core/patterns.ts';
import type { DumpRequest } from '../core/dump-options.ts';

export interface IndexInfo {
  name: string;
  unique: boolean;
  columns: string[];
  /** All columns NOT NULL and no prefix lengths: usable as a chunk key. */
  usable: boolean;
}

export interface TableInfo {
  database: string;
  name: string;
  engine: string | null;
  transactional: boolean;
  rowsEstimate: number;
  bytesEstimate: number;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
}

export interface RoutineRef {
  type: 'procedure' | 'function';
  name: string;
}

export interface DatabaseInfo {
  name: string;
  tables: TableInfo[];
  views: string[];
  /** MariaDB sequences: created before the tables (a column default may use one). */
  sequences: string[];
  triggers: string[];
  routines: RoutineRef[];
  events: string[];
}

const SYSTEM_DATABASES = new Set(['information_schema', 'performance_schema', 'mysql', 'sys']);
const TRANSACTIONAL_ENGINES = new Set(['innodb', 'xtradb', 'rocksdb', 'tokudb', 'ndbcluster', 'ndb']);

function matcher(entries: readonly string[]): (name: string) => boolean {
  const exact = new Set(entries.filter((e) => !isPattern(e)));
  const patterns = entries.filter(isPattern).map(globToRegExp);
  return (name) => exact.has(name) || patterns.some((p) => p.test(name));
}

/** Picks the databases and tables to dump, with their columns, indexes and size estimates. */
export async function discover(session: Session, options: Pick<DumpRequest, 'databases' | 'excludeDatabases' | 'tables' | 'excludeTables' | 'objects'>): Promise<DatabaseInfo[]> {
  try {
    const all = (await session.query<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME')).map((r) => r.name);
    const tableDbs = options.tables.map((t) => splitQualified(t).database);
    const wanted = [...options.databases, ...tableDbs];
    for (const name of wanted) {
      if (!isPattern(name) && !all.includes(name)) {
        throw new ParadumpError('UNKNOWN_DATABASE', `unknown database "${name}"`, { details: { database: name } });
      }
    }
    const include = wanted.length > 0 ? matcher(wanted) : (name: string) => !SYSTEM_DATABASES.has(name);
    const exclude = matcher(options.excludeDatabases);
    const names = all.filter((n) => include(n) && !exclude(n));

    const tableInclude = options.tables.length > 0 ? matcher(options.tables) : null;
    const tableExclude = matcher(options.excludeTables);
    // A database named only through --tables contributes just those tables.
    const wholeDb = options.databases.length > 0 ? matcher(options.databases) : options.tables.length > 0 ? () => false : () => true;

    const result: DatabaseInfo[] = [];
    for (const db of names) {
      const info = await discoverDatabase(session, db, options.objects);
      info.tables = info.tables.filter((t) => {
        const q = `${db}.${t.name}`;
        if (tableExclude(q)) return false;
        return wholeDb(db) || (tableInclude !== null && tableInclude(q));
      });
      if (!wholeDb(db)) {
        // Partial database: objects belong to the whole database, so leave them out.
        info.views = info.views.filter((v) => tableInclude?.(`${db}.${v}`) && !tableExclude(`${db}.${v}`));
        info.sequences = info.sequences.filter((v) => tableInclude?.(`${db}.${v}`) && !tableExclude(`${db}.${v}`));
        info.triggers = [];
        info.routines = [];
        info.events = [];
      }
      result.push(info);
    }
    for (const t of options.tables) {
      if (isPattern(t)) continue;
      const { database, table } = splitQualified(t);
      const db = result.find((d) => d.name === database);
      if (!db?.tables.some((x) => x.name === table) && !db?.views.includes(table) && !db?.sequences.includes(table)) {
        throw new ParadumpError('UNKNOWN_TABLE', `unknown table "${t}"`, { details: { database, table } });
      }
    }
    return result;
  } catch (error) {
    throw fromDriverError(error, 'discovering databases and tables');
  }
}

interface TableRow {
  name: string;
  type: string;
  engine: string | null;
  rows: string | null;
  data: string | null;
  idx: string | null;
}
interface ColumnRow {
  table: string;
  name: string;
  dataType: string;
  columnType: string;
  charset: string | null;
  collation: string | null;
  nullable: string;
  extra: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  nonUnique: string | number;
  column: string;
  subPart: string | null;
  nullable: string | null;
}

/** An index as read, with what decides whether it can be a chunk key. */
type IndexRead = IndexInfo & { nullable: boolean; prefix: boolean };

export async function discoverDatabase(session: Session, db: string, objects: boolean): Promise<DatabaseInfo> {
  const tables = await session.query<TableRow>(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS \`rows\`, DATA_LENGTH AS data, INDEX_LENGTH AS idx
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [db],
  );
  const columns = await session.query<ColumnRow>(
    `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
            CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, IS_NULLABLE AS nullable, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [db],
  );
  const indexes = await session.query<IndexRow>(
    `SELECT TABLE_NAME AS \`table\`, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS \`column\`,
            SUB_PART AS subPart, NULLABLE AS nullable
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [db],
  );
  const colsByTable = columnsByTable(columns);
  const idxByTable = indexesByTable(indexes);
  const info: DatabaseInfo = { name: db, tables: [], views: [], sequences: [], triggers: [], routines: [], events: [] };
  for (const t of tables) {
    if (t.type === 'VIEW') {
      info.views.push(t.name);
      continue;
    }
    if (t.type === 'SEQUENCE') {
      info.sequences.push(t.name);
      continue;
    }
    if (t.type !== 'BASE TABLE' && t.type !== 'SYSTEM VERSIONED') continue;
    info.tables.push(tableInfo(db, t, colsByTable.get(t.name) ?? [], [...(idxByTable.get(t.name)?.values() ?? [])]));
  }
  if (objects) Object.assign(info, await discoverObjects(session, db));
  return info;
}

function columnsByTable(columns: ColumnRow[]): Map<string, ColumnInfo[]> {
  const colsByTable = new Map<string, ColumnInfo[]>();
  for (const c of columns) {
    const extra = (c.extra ?? '').toUpperCase();
    const list = colsByTable.get(c.table) ?? [];
    list.push({
      name: c.name,
      dataType: c.dataType,
      columnType: c.columnType,
      charset: c.charset,
      collation: c.collation,
      nullable: c.nullable === 'YES',
      generated: /\bGENERATED\b/.test(extra) || /\b(VIRTUAL|PERSISTENT|STORED)\b/.test(extra),
      invisible: /\bINVISIBLE\b/.test(extra),
      encoding: encodingFor(c.dataType, c.charset),
    });
    colsByTable.set(c.table, list);
  }
  return colsByTable;
}

/** Each table's indexes by name, columns in index order (STATISTICS has one row per column). */
function indexesByTable(indexes: IndexRow[]): Map<string, Map<string, IndexRead>> {
  const idxByTable = new Map<string, Map<string, IndexRead>>();
  for (const r of indexes) {
    const m = idxByTable.get(r.table) ?? new Map<string, IndexRead>();
    const idx = m.get(r.name) ?? { name: r.name, unique: Number(r.nonUnique) === 0, columns: [], usable: false, nullable: false, prefix: false };
    idx.columns.push(r.column);
    if (r.nullable === 'YES') idx.nullable = true;
    if (r.subPart !== null) idx.prefix = true;
    m.set(r.name, idx);
    idxByTable.set(r.table, m);
  }
  return idxByTable;
}

function tableInfo(db: string, t: TableRow, cols: ColumnInfo[], indexes: IndexRead[]): TableInfo {
  const byName = new Map(cols.map((c) => [c.name, c]));
  const idxs = indexes.map(({ nullable, prefix, ...i }) => ({
    ...i,
    usable:
      i.unique &&
      !nullable &&
      !prefix &&
      i.columns.every((name) => {
        const col = byName.get(name);
        return col !== undefined && !col.nullable && !col.generated && isChunkableKeyType(col.dataType);
      }),
  }));
  const engine = t.engine;
  return {
    database: db,
    name: t.name,
    engine,
    transactional: engine !== null && TRANSACTIONAL_ENGINES.has(engine.toLowerCase()),
    rowsEstimate: Number(t.rows ?? 0),
    bytesEstimate: Number(t.data ?? 0) + Number(t.idx ?? 0),
    columns: cols,
    indexes: idxs,
  };
}

/** The database's triggers, routines and events, each in the order they are dumped. */
async function discoverObjects(session: Session, db: string): Promise<Pick<DatabaseInfo, 'triggers' | 'routines' | 'events'>> {
  const triggers = (
    await session.query<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER, TRIGGER_NAME', [db])
  ).map((r) => r.name);
  const routines = (
    await session.query<{ name: string; type: string }>('SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME', [db])
  )
    .filter((r) => r.type === 'PROCEDURE' || r.type === 'FUNCTION')
    .map((r) => ({ type: r.type === 'PROCEDURE' ? ('procedure' as const) : ('function' as const), name: r.name }));
  const events = (await session.query<{ name: string }>('SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME', [db])).map((r) => r.name);
  return { triggers, routines, events };
}

/**
 * The chunk key: the primary key, else the narrowest NOT NULL unique index (single integer column
 * preferred), else none — then the table is one streamed chunk.
 */
export function chooseChunkKey(table: TableInfo): { index: string; columns: ColumnInfo[] } | null {
  const usable = table.indexes.filter((i) => i.usable);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const score = (i: IndexInfo) => (i.name === 'PRIMARY' ? 0 : 1) * 1000 + i.columns.length * 10 + (i.columns.length === 1 && isIntegerType(byName.get(i.columns[0]!)?.dataType ?? '') ? 0 : 1);
  const best = usable.sort((a, b) => score(a) - score(b) || a.name.localeCompare(b.name))[0];
  if (!best) return null;
  return { index: best.name, columns: best.columns.map((n) => byName.get(n)!) };
}

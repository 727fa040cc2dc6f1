import { ParadumpError } from '../core/errors.ts';
import type { ChunkRecord, KeyColumnRecord, TableRecord } from '../core/manifest.ts';
import type { DataFormat } from '../core/dump-options.ts';
import { quoteId, qualified } from '../core/sql-names.ts';
import type { TargetConnection } from './target-connection.ts';

/**
 * How one tsv field is assigned to its column: straight in (the file's bytes are the column's bytes,
 * `CHARACTER SET binary` converts nothing), or through a user variable and an expression.
 */
function fieldTarget(column: KeyColumnRecord, n: number): { field: string; set: string | null } {
  const col = quoteId(column.name);
  const v = `@p${n}`;
  switch (column.encoding) {
    case 'hex':
      // BIT and spatial values: their bytes as hex, as the SQL dump writes X'…'.
      return { field: v, set: `${col} = UNHEX(${v})` };
    case 'charset-hex':
      // ucs2/utf16/utf32: a field cannot hold them as text (their bytes include tabs and NULs).
      return { field: v, set: `${col} = CONVERT(UNHEX(${v}) USING ${charsetName(column.charset)})` };
    case 'utf8':
      // A column without a charset (MariaDB's INET6/UUID/INET4, MySQL's JSON): a binary string is
      // the packed form there (or refused), so the text is given as text. See loadNames.
      return column.charset === null ? { field: v, set: `${col} = CONVERT(${v} USING utf8mb4)` } : { field: col, set: null };
    default:
      return { field: col, set: null };
  }
}

function charsetName(charset: string | null): string {
  if (!charset || !/^[a-z0-9_]+$/i.test(charset)) throw new ParadumpError('MANIFEST_INVALID', `unexpected character set name ${JSON.stringify(charset)} in the manifest`);
  return charset;
}

/**
 * The `LOAD DATA` that reads one tsv data file into `table` of the current database (so a key-range
 * load can point it at a staging copy). The field rules are the ones `RowEncoder` writes by:
 * tab-separated, `\n`-terminated, backslash escapes, nothing enclosed, `\N` for NULL.
 */
export function loadDataSql(table: Pick<TableRecord, 'table' | 'columns' | 'columnEncodings'>): string {
  const encodings = table.columnEncodings;
  if (!encodings || encodings.length !== table.columns.length) {
    throw new ParadumpError('MANIFEST_INVALID', `the manifest has no column encodings for ${quoteId(table.table)}: LOAD DATA needs them`, { details: { reason: 'SCHEMA' } });
  }
  const targets = encodings.map((c, i) => fieldTarget(c, i + 1));
  const sets = targets.flatMap((t) => (t.set ? [t.set] : []));
  return (
    `LOAD DATA LOCAL INFILE 'paradump.tsv' INTO TABLE ${quoteId(table.table)} CHARACTER SET binary ` +
    `FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' STARTING BY '' ` +
    `(${targets.map((t) => t.field).join(', ')})` +
    (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
  );
}

/** Whether the target accepts `LOAD DATA LOCAL` (MySQL 8 turns it off by default). */
async function localInfileOn(conn: TargetConnection): Promise<boolean> {
  const [row] = await conn.query<{ on: string | number | null }>('SELECT @@GLOBAL.local_infile AS `on`');
  const on = row?.on;
  return on === 1 || on === '1' || (typeof on === 'string' && on.toUpperCase() === 'ON');
}

/** How a restore puts rows in: the data files' INSERTs, or LOAD DATA LOCAL INFILE of tsv lines. */
export type LoadMethod = 'insert' | 'load-data';

/**
 * Decides, before anything is changed, how this restore loads rows. A refusal mid-restore would be
 * a worse place to learn that the target has local_infile off.
 */
export async function chooseLoadMethod(args: {
  conn: TargetConnection;
  format: DataFormat;
  requested: 'auto' | LoadMethod;
  /** The tables with rows to load. */
  tables: readonly Pick<TableRecord, 'columns' | 'columnEncodings'>[];
}): Promise<LoadMethod> {
  const { conn, format, requested } = args;
  /** LOAD DATA it must be: the target has to allow it (`why` says why it must, `otherwise` what to do instead). */
  const requireLocalInfile = async (why: string, otherwise: string): Promise<LoadMethod> => {
    if (await localInfileOn(conn)) return 'load-data';
    throw new ParadumpError('LOCAL_INFILE_DISABLED', `${why}, which the target has turned off (local_infile = OFF): run SET GLOBAL local_infile = 1 on the target, or ${otherwise}`, {
      details: { reason: 'LOCAL_INFILE_DISABLED' },
    });
  };
  if (format === 'tsv') {
    if (requested === 'insert') throw new ParadumpError('BAD_OPTION', 'loadMethod: a tsv dump holds no INSERTs; it loads with LOAD DATA only', { details: { path: 'loadMethod' } });
    // Nothing to load (only empty tables, or objects): the target's setting does not matter.
    if (args.tables.length === 0) return 'load-data';
    return requireLocalInfile('this dump is in tsv format and loads with LOAD DATA LOCAL INFILE', 'restore a dump made with --format sql');
  }
  if (requested === 'insert' || args.tables.length === 0) return 'insert';
  // Manifests written before column encodings were recorded: the rewrite cannot tell hex from text.
  const encoded = args.tables.every((t) => t.columnEncodings?.length === t.columns.length);
  if (requested === 'auto') return encoded && (await localInfileOn(conn)) ? 'load-data' : 'insert';
  if (!encoded) throw new ParadumpError('BAD_OPTION', 'loadMethod: this dump\'s manifest does not record its column encodings (it was written by an older paradump); restore it with insert', { details: { path: 'loadMethod' } });
  return requireLocalInfile('load-data was asked for: LOAD DATA LOCAL INFILE', 'load with insert');
}

/** A LOAD DATA that stored fewer rows than the file holds: the server skipped some. */
export function rowCountError(table: Pick<TableRecord, 'database' | 'table'>, chunk: Pick<ChunkRecord, 'file' | 'rows'>, rows: number, warnings: number): ParadumpError {
  const why = warnings > 0 ? ` with ${warnings} warning${warnings === 1 ? '' : 's'} (duplicate keys are skipped, not refused, by LOAD DATA LOCAL)` : '';
  return new ParadumpError('MANIFEST_INVALID', `data file ${chunk.file} loaded ${rows} rows into ${qualified(table.database, table.table)}${why}; the manifest says ${chunk.rows}`, {
    details: { reason: 'ROW_COUNT', file: chunk.file, rows, expected: chunk.rows },
  });
}

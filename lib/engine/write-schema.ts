import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { commentSafe, quoteId, qualified } from '../core/sql-names.ts';
import { type Session } from '../mysql/session.ts';
import type { DatabaseInfo } from '../mysql/discover.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import { ParadumpError } from '../core/errors.ts';
import { dumpPaths } from '../core/file-names.ts';
import type { ObjectRecord } from '../core/manifest.ts';
import { insideDir } from '../core/write-file-atomic.ts';
import type { StorageTarget } from '../storage/target.ts';

/** The session settings every schema file starts with (no ANSI_QUOTES, no strict zero-date checks). */
const SCHEMA_PREAMBLE = "SET NAMES utf8mb4;\nSET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', foreign_key_checks = 0;\n";

interface ShowCreate {
  type: ObjectRecord['type'];
  name: string;
  show: string;
  column: string;
}

export interface DatabaseSchema {
  charset: string;
  collation: string;
  schemaFile: string;
  objects: ObjectRecord[];
}

/**
 * Writes CREATE DATABASE and, per object, a file that the `mariadb` client or the restore engine can
 * run: views in dependency order, then triggers, routines and events, each with the sql_mode and
 * character set it was defined with. Definitions are written as SHOW CREATE returns them.
 */
export async function writeDatabaseSchema({ session, target, db }: { session: Session; target: StorageTarget; db: DatabaseInfo }): Promise<DatabaseSchema & { warnings: string[] }> {
  const warnings: string[] = [];
  // With the database current, SHOW CREATE VIEW leaves out its name, so the files load into any database.
  await session.exec(`USE ${quoteId(db.name)}`);
  const [dbRow] = await session.query<{ charset: string; collation: string }>(
    'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [db.name],
  );
  if (!dbRow) throw new ParadumpError('UNKNOWN_DATABASE', `database "${db.name}" disappeared during the dump`);
  const schemaFile = dumpPaths.databaseSchema(db.name);
  await target.put(
    schemaFile,
    `-- paradump: database ${commentSafe(quoteId(db.name))}\nCREATE DATABASE IF NOT EXISTS ${quoteId(db.name)} CHARACTER SET ${dbRow.charset} COLLATE ${dbRow.collation};\n`,
  );

  const objects: ObjectRecord[] = [];
  for (const name of db.sequences) {
    let text: string;
    try {
      const [row] = await session.query<Record<string, string>>(`SHOW CREATE SEQUENCE ${qualified(db.name, name)}`);
      const [state] = await session.query<{ next: string }>(`SELECT next_not_cached_value AS next FROM ${qualified(db.name, name)}`);
      if (!row?.['Create Table'] || !state) continue;
      // SETVAL(…, n, 0): the next value handed out is n, as on the source (cached values are skipped, as after a restart).
      text = `-- paradump: sequence ${commentSafe(quoteId(name))} of ${commentSafe(quoteId(db.name))}\n${SCHEMA_PREAMBLE}${row['Create Table']};\nDO SETVAL(${quoteId(name)}, ${BigInt(state.next).toString()}, 0);\n`;
    } catch (error) {
      warnings.push(`sequence ${db.name}.${name} skipped: ${fromDriverError(error, 'SHOW CREATE SEQUENCE').message}`);
      continue;
    }
    const file = dumpPaths.objectSchema(db.name, 'sequence', name);
    await target.put(file, text);
    objects.push({ type: 'sequence', name, file });
  }
  // Routines before views (a view may call a function), triggers and events last.
  const routines: ShowCreate[] = db.routines.map((r) => ({ type: r.type, name: r.name, show: r.type.toUpperCase(), column: r.type === 'procedure' ? 'Create Procedure' : 'Create Function' }));
  const later: ShowCreate[] = [
    ...db.triggers.map((name) => ({ type: 'trigger' as const, name, show: 'TRIGGER', column: 'SQL Original Statement' })),
    ...db.events.map((name) => ({ type: 'event' as const, name, show: 'EVENT', column: 'Create Event' })),
  ];
  await writeShown(routines);
  const views: { name: string; text: string }[] = [];
  for (const name of db.views) {
    try {
      const [row] = await session.query<Record<string, string>>(`SHOW CREATE VIEW ${qualified(db.name, name)}`);
      if (!row) continue;
      views.push({ name, text: objectFile('view', db.name, name, row['Create View']!, row) });
    } catch (error) {
      warnings.push(`view ${db.name}.${name} skipped: ${fromDriverError(error, 'SHOW CREATE VIEW').message}`);
    }
  }
  for (const v of orderViews(views)) {
    const file = dumpPaths.objectSchema(db.name, 'view', v.name);
    await target.put(file, v.text);
    objects.push({ type: 'view', name: v.name, file });
  }

  await writeShown(later);
  return { charset: dbRow.charset, collation: dbRow.collation, schemaFile, objects, warnings };

  async function writeShown(list: readonly ShowCreate[]): Promise<void> {
    for (const o of list) {
      let text: string;
      try {
        const [row] = await session.query<Record<string, string | null>>(`SHOW CREATE ${o.show} ${qualified(db.name, o.name)}`);
        const definition = row?.[o.column];
        if (!row || !definition) {
          warnings.push(`${o.type} ${db.name}.${o.name} skipped: its definition is not readable with this account`);
          continue;
        }
        text = objectFile(o.type, db.name, o.name, definition, row);
      } catch (error) {
        warnings.push(`${o.type} ${db.name}.${o.name} skipped: ${fromDriverError(error, `SHOW CREATE ${o.show}`).message}`);
        continue;
      }
      // Outside the try: a failed write fails the dump, it does not skip the object.
      const file = dumpPaths.objectSchema(db.name, o.type, o.name);
      await target.put(file, text);
      objects.push({ type: o.type, name: o.name, file });
    }
  }
}

/** Writes one table's CREATE TABLE (as SHOW CREATE TABLE returns it). */
export async function writeTableSchema({ session, target, database, table }: { session: Session; target: StorageTarget; database: string; table: string }): Promise<string> {
  const create = await readTableCreate({ session, database, table });
  const file = dumpPaths.tableSchema(database, table);
  await target.put(file, tableSchemaText(database, table, create));
  return file;
}

/**
 * SHOW CREATE TABLE's text, read raw: a reader session returns results unconverted
 * (character_set_results NULL), and the server's metadata charset is utf8 either way.
 */
export async function readTableCreate({ session, database, table }: { session: Session; database: string; table: string }): Promise<string> {
  const [row] = await session.queryRaw(`SHOW CREATE TABLE ${qualified(database, table)}`);
  const create = row?.[1]?.toString('utf8');
  if (!create) throw new ParadumpError('TABLE_DROPPED', `table ${database}.${table} has no definition`);
  return create;
}

/**
 * Writes a table's schema file under its final name without fsync: the caller syncs a batch with
 * `syncFiles` before anything names the files (the plan), and a torn file before that is never read.
 * Each directory is made once per `madeDirs`. Written synchronously: a few hundred bytes into the
 * page cache take microseconds, the three libuv pool trips of an async write cost far more (see
 * SYNC_WRITE_BYTES in chunk-group.ts).
 */
export function writeTableSchemaFile(args: { outDir: string; database: string; table: string; create: string; madeDirs: Set<string> }): string {
  const file = dumpPaths.tableSchema(args.database, args.table);
  const full = insideDir(args.outDir, file);
  const dir = path.dirname(full);
  if (!args.madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    args.madeDirs.add(dir);
  }
  writeFileSync(full, tableSchemaText(args.database, args.table, args.create));
  return file;
}

/**
 * Makes the files durable. One syncfs of the dump's filesystem (`sync -f`) where there is one:
 * 3000 schema files took ~2.5 s fsynced one by one (each its own ext4 journal commit) and a few
 * ms this way. Otherwise each file, then each directory, is fsynced.
 */
export async function syncFiles(outDir: string, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  if (process.platform === 'linux' && (await syncFilesystem(outDir))) return;
  const dirs = [...new Set(files.map((f) => path.dirname(insideDir(outDir, f))))];
  for (const list of [files.map((f) => insideDir(outDir, f)), dirs]) {
    let next = 0;
    const one = async () => {
      for (let i = next++; i < list.length; i = next++) {
        const fh = await open(list[i]!, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, one));
  }
}

function syncFilesystem(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', dir], { timeout: 120_000 }, (error) => resolve(error === null));
  });
}

/** An object store's put is whole and durable once it returns: no batch sync to wait for. */
export async function putTableSchema(target: StorageTarget, database: string, table: string, create: string): Promise<string> {
  const file = dumpPaths.tableSchema(database, table);
  await target.put(file, tableSchemaText(database, table, create));
  return file;
}

function tableSchemaText(database: string, table: string, create: string): string {
  return `-- paradump: table ${commentSafe(qualified(database, table))}\n${SCHEMA_PREAMBLE}${create};\n`;
}

/**
 * A file for a stored object. Its body is sent with the client character set and collation it was
 * created with when the text allows (pure ASCII), so the server records the same metadata; otherwise
 * as utf8mb4, which is what the file is written in.
 */
function objectFile(type: string, database: string, name: string, definition: string, row: Record<string, string | null>): string {
  const ascii = /^[\x00-\x7f]*$/.test(definition);
  const client = ascii && row['character_set_client'] ? row['character_set_client'] : 'utf8mb4';
  const collation = ascii && row['collation_connection'] ? row['collation_connection'] : 'utf8mb4_general_ci';
  const lines = [
    `-- paradump: ${type} ${commentSafe(quoteId(name))} of ${commentSafe(quoteId(database))}`,
    `SET NAMES ${sqlWord(client)} COLLATE ${sqlWord(collation)};`,
  ];
  if (row['sql_mode'] !== undefined) lines.push(`SET SESSION sql_mode = '${(row['sql_mode'] ?? '').replace(/[^A-Z_,]/g, '')}';`);
  if (row['time_zone']) lines.push(`SET SESSION time_zone = '${row['time_zone'].replace(/'/g, "''")}';`);
  lines.push('DELIMITER ;;', definition, ';;', 'DELIMITER ;', 'SET NAMES utf8mb4;', '');
  return lines.join('\n');
}

function sqlWord(word: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(word)) throw new ParadumpError('INTERNAL', `unexpected character set or collation name ${JSON.stringify(word)}`);
  return word;
}

/** Orders views so each comes after the views it selects from (by quoted name); cycles keep name order. */
export function orderViews<T extends { name: string; text: string }>(views: T[]): T[] {
  const byName = new Map(views.map((v) => [v.name, v]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: T[] = [];
  const visit = (v: T) => {
    if (done.has(v.name) || visiting.has(v.name)) return;
    visiting.add(v.name);
    for (const other of views) {
      if (other.name !== v.name && v.text.includes(quoteId(other.name))) visit(byName.get(other.name)!);
    }
    visiting.delete(v.name);
    done.add(v.name);
    out.push(v);
  };
  for (const v of views) visit(v);
  return out;
}

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ParadumpError } from '../core/errors.ts';

/**
 * Applies the pending migrations of `prisma/migrations` to the SQLite store, the way
 * `prisma migrate deploy` would, and records each in Prisma's own `_prisma_migrations` table so that
 * the Prisma CLI on a connected machine sees them as applied. We need our own runner because every
 * Prisma 7 migrate command needs the native schema engine, which cannot be downloaded here.
 */
export interface ApplyMigrationsOptions {
  /** Absolute path of the SQLite file; it and its directory are created if missing. */
  databasePath: string;
  /** A folder in Prisma's layout: `<timestamp>_<name>/migration.sql` plus `migration_lock.toml`. */
  migrationsDir: string;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations applied by this call, in order; empty when the store was up to date. */
  applied: string[];
}

export interface MigrationFile {
  name: string;
  script: string;
}

// Byte for byte the table the Prisma schema engine creates on SQLite.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;


export function applyMigrations({ databasePath, migrationsDir }: ApplyMigrationsOptions): ApplyMigrationsResult {
  const migrations = readMigrations(migrationsDir);
  mkdirSync(path.dirname(databasePath), { recursive: true });
  const db = new Database(databasePath);
  try {
    ensureMigrationsTable(db, databasePath);
    const rows = db
      .prepare(
        'SELECT checksum, migration_name, finished_at, rolled_back_at, started_at, logs FROM "_prisma_migrations" ORDER BY started_at',
      )
      .all() as MigrationRow[];

    const pending = pendingMigrations({ rows, migrations, migrationsDir, store: databasePath });
    for (const migration of pending) applyOne(db, migration);
    return { applied: pending.map((migration) => migration.name) };
  } finally {
    db.close();
  }
}

/** A `_prisma_migrations` row as the runners read it (times as the driver returns them). */
export interface MigrationRow {
  checksum: string;
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
}

/**
 * What `prisma migrate deploy` would apply, given the store's history: refuses a store with a failed
 * migration (P3009), one applied here but missing from the folder, or one edited after it was applied.
 * `store` names the store in the errors' details (a file path, or a URL without its password).
 */
export function pendingMigrations({ rows, migrations, migrationsDir, store }: { rows: readonly MigrationRow[]; migrations: readonly MigrationFile[]; migrationsDir: string; store: string }): MigrationFile[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new ParadumpError(
      'MIGRATION_FAILED',
      `Migration ${failed.migration_name} failed earlier, so no further migration is applied. ` +
        'Repair the store by hand, then mark the migration rolled back or delete the store.' +
        (failed.logs ? `\nIts error was: ${failed.logs}` : ''),
      { details: { migrationName: failed.migration_name, store } },
    );
  }

  const onDisk = new Map(migrations.map((migration) => [migration.name, migration]));
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    const migration = onDisk.get(row.migration_name);
    if (!migration) {
      throw new ParadumpError(
        'MIGRATION_MISSING',
        `The store has migration ${row.migration_name} applied, but ${migrationsDir} does not have it: ` +
          'the store was written by a newer paradump.',
        { details: { migrationName: row.migration_name, store } },
      );
    }
    if (!scriptMatchesChecksum(migration.script, row.checksum)) {
      throw new ParadumpError(
        'MIGRATION_MODIFIED',
        `Migration ${row.migration_name} was changed after it was applied to the store; ` +
          'add a new migration instead of editing an applied one.',
        { details: { migrationName: row.migration_name, store } },
      );
    }
    applied.add(row.migration_name);
  }

  return migrations.filter((migration) => !applied.has(migration.name));
}

/** Lists the migrations in Prisma's folder layout, oldest first (names start with a timestamp). */
export function readMigrations(migrationsDir: string, provider: 'sqlite' | 'postgresql' = 'sqlite'): MigrationFile[] {
  if (!existsSync(migrationsDir)) {
    throw new ParadumpError('MIGRATIONS_NOT_FOUND', `No migrations folder at ${migrationsDir}`, {
      details: { migrationsDir },
    });
  }
  const lockFile = path.join(migrationsDir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const found = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (found !== provider) {
      throw new ParadumpError(
        'MIGRATION_PROVIDER_MISMATCH',
        `${lockFile} is for provider "${found ?? '?'}", but the store is ${provider}`,
        { details: { provider: found, lockFile } },
      );
    }
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) {
        throw new ParadumpError('MIGRATIONS_NOT_FOUND', `Migration folder ${name} has no migration.sql`, {
          details: { migrationName: name, migrationsDir },
        });
      }
      return { name, script: readFileSync(file, 'utf8') };
    });
}

/** Lowercase hex SHA-256 of the script, as the Prisma schema engine records it. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Whether `script` is the one a recorded checksum was taken of. Like the Prisma engine, it tolerates
 * line endings changed by git, and the unpadded hex an old engine wrote (prisma-engines#1887).
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  const legacy = checksum.length > 0 && checksum.length !== 64;
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant, 'utf8').digest();
    const rendered = legacy
      ? Array.from(digest, (byte) => byte.toString(16)).join('')
      : digest.toString('hex');
    return rendered === checksum;
  });
}

function ensureMigrationsTable(db: Database.Database, databasePath: string): void {
  const objects = db
    .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  if (objects.includes('_prisma_migrations')) return;
  if (objects.length > 0) {
    throw new ParadumpError(
      'STORE_NOT_EMPTY',
      `${databasePath} already holds tables (${objects.join(', ')}) but no migration history, ` +
        'so it is not a paradump store; point PARADUMP_DATABASE_URL at a new file.',
      { details: { databasePath, tables: objects } },
    );
  }
  db.exec(CREATE_MIGRATIONS_TABLE);
}

/**
 * Not in a transaction, as Prisma does it: `PRAGMA foreign_keys=OFF` in a table-rebuild migration
 * is ignored inside one, and the rebuild would then cascade-delete child rows.
 */
function applyOne(db: Database.Database, migration: MigrationFile): void {
  const id = randomUUID();
  db.prepare(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
  ).run(id, migrationChecksum(migration.script), migration.name, Date.now());
  try {
    db.exec(migration.script);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    db.prepare('UPDATE "_prisma_migrations" SET logs = ? WHERE id = ?').run(message, id);
    throw new ParadumpError('MIGRATION_FAILED', `Migration ${migration.name} failed: ${message}`, {
      details: { migrationName: migration.name },
      cause: error,
    });
  }
  db.prepare('UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?').run(
    Date.now(),
    id,
  );
}

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, migrationChecksum, readMigrations, scriptMatchesChecksum } from './apply-migrations.ts';
import { isParadumpError, type ErrorCode } from '../core/errors.ts';

const projectMigrations = path.resolve(import.meta.dirname, '../../prisma/migrations');
// Every shipped migration, oldest first; the first ones are checked by name below, later ones need no edit here.
const shipped = readMigrations(projectMigrations).map((m) => m.name);

interface Recorded {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: number | null;
  started_at: number;
  rolled_back_at: number | null;
  applied_steps_count: number;
  logs: string | null;
}

let dir: string;
let databasePath: string;
let migrationsDir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'paradump-store-'));
  databasePath = path.join(dir, 'nested', 'store.db');
  migrationsDir = path.join(dir, 'migrations');
  cpSync(projectMigrations, migrationsDir, { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function withDb<T>(use: (db: Database.Database) => T): T {
  const db = new Database(databasePath);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

function recorded(): Recorded[] {
  return withDb((db) =>
    db.prepare('SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name').all(),
  ) as Recorded[];
}

function tables(): string[] {
  return withDb((db) =>
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
  ) as string[];
}

function addMigration(name: string, script: string): void {
  mkdirSync(path.join(migrationsDir, name));
  writeFileSync(path.join(migrationsDir, name, 'migration.sql'), script);
}

function expectStoreError(run: () => unknown, code: ErrorCode): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isParadumpError(caught, code), `expected ParadumpError ${code}, got ${String(caught)}`).toBe(true);
}

describe('applyMigrations', () => {
  it('creates the store and applies every migration once, recorded as Prisma records it', () => {
    const before = Date.now();
    const { applied } = applyMigrations({ databasePath, migrationsDir });

    expect(shipped.slice(0, 4)).toEqual(['20261123200000_init', '20261124090000_runs_live', '20261201090000_security', '20261202090000_server_tls']);
    expect(applied).toEqual(shipped);
    expect(tables()).toEqual(['Drill', 'DrillPolicy', 'Plan', 'PlanLog', 'Run', 'RunChunk', 'RunCopy', 'RunLock', 'RunLog', 'RunSample', 'RunSnapshot', 'RunTable', 'Server', 'Session', 'StorageTarget', 'User', '_prisma_migrations', 'sqlite_sequence']);
    const [row, ...rest] = recorded();
    expect(rest.map((r) => r.migration_name)).toEqual(shipped.slice(1));
    const script = readFileSync(path.join(migrationsDir, '20261123200000_init', 'migration.sql'), 'utf8');
    expect(row).toMatchObject({
      migration_name: '20261123200000_init',
      checksum: migrationChecksum(script),
      rolled_back_at: null,
      logs: null,
      applied_steps_count: 1,
    });
    expect(row?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row?.started_at).toBeGreaterThanOrEqual(before);
    expect(row?.finished_at).toBeGreaterThanOrEqual(row?.started_at ?? Infinity);
  });

  it('is a no-op when the store is up to date', () => {
    applyMigrations({ databasePath, migrationsDir });
    const first = recorded();

    expect(applyMigrations({ databasePath, migrationsDir }).applied).toEqual([]);
    expect(recorded()).toEqual(first);
  });

  it('applies only the migrations added since the last start', () => {
    applyMigrations({ databasePath, migrationsDir });
    addMigration('20270101000000_add_note', 'ALTER TABLE "Run" ADD COLUMN "note" TEXT;\n');

    expect(applyMigrations({ databasePath, migrationsDir }).applied).toEqual(['20270101000000_add_note']);
    expect(recorded().map((row) => row.migration_name)).toEqual([...shipped, '20270101000000_add_note']);
  });

  it('refuses a migration edited after it was applied', () => {
    applyMigrations({ databasePath, migrationsDir });
    const file = path.join(migrationsDir, '20261123200000_init', 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"errorMessage" TEXT', '"errorText" TEXT'));

    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'MIGRATION_MODIFIED');
  });

  it('accepts an applied migration whose line endings git changed', () => {
    applyMigrations({ databasePath, migrationsDir });
    const file = path.join(migrationsDir, '20261123200000_init', 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('\n', '\r\n'));

    expect(applyMigrations({ databasePath, migrationsDir }).applied).toEqual([]);
  });

  it('records a failed migration and refuses to go on until it is resolved', () => {
    addMigration('20270101000000_broken', 'CREATE TABLE "Ok" ("id" INTEGER);\nCREATE TABLE "Run" ("id" TEXT);\n');

    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'MIGRATION_FAILED');
    const broken = recorded().find((row) => row.migration_name === '20270101000000_broken');
    expect(broken).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(broken?.logs).toContain('already exists');

    // Fixing the file is not enough: like Prisma (P3009), the failure must be resolved first.
    writeFileSync(path.join(migrationsDir, '20270101000000_broken', 'migration.sql'), 'SELECT 1;\n');
    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'MIGRATION_FAILED');

    // `prisma migrate resolve --rolled-back` marks it; the next start applies it again.
    withDb((db) => db.prepare('UPDATE "_prisma_migrations" SET rolled_back_at = ? WHERE finished_at IS NULL').run(Date.now()));
    withDb((db) => db.exec('DROP TABLE "Ok"'));
    expect(applyMigrations({ databasePath, migrationsDir }).applied).toEqual(['20270101000000_broken']);
  });

  it('refuses a database that has tables but no migration history', () => {
    mkdirSync(path.dirname(databasePath), { recursive: true });
    withDb((db) => db.exec('CREATE TABLE "something_else" ("id" INTEGER)'));

    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'STORE_NOT_EMPTY');
    expect(tables()).toEqual(['something_else']);
  });

  it('refuses a store that has a migration this checkout does not know', () => {
    addMigration('20270101000000_later', 'CREATE TABLE "Later" ("id" INTEGER);\n');
    applyMigrations({ databasePath, migrationsDir });
    rmSync(path.join(migrationsDir, '20270101000000_later'), { recursive: true });

    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'MIGRATION_MISSING');
  });

  it('refuses migrations written for another provider', () => {
    writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');

    expectStoreError(() => applyMigrations({ databasePath, migrationsDir }), 'MIGRATION_PROVIDER_MISMATCH');
  });

  it('runs a table-rebuild migration outside a transaction, so child rows survive', () => {
    addMigration(
      '20270101000000_parent_child',
      [
        'CREATE TABLE "Parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT);',
        'CREATE TABLE "Child" ("id" INTEGER NOT NULL PRIMARY KEY, "parentId" INTEGER NOT NULL,',
        '    CONSTRAINT "Child_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE CASCADE ON UPDATE CASCADE);',
        '',
      ].join('\n'),
    );
    applyMigrations({ databasePath, migrationsDir });
    withDb((db) => db.exec('INSERT INTO "Parent" VALUES (1, \'p\'); INSERT INTO "Child" VALUES (1, 1);'));
    // What `prisma migrate dev` emits on SQLite for a change it cannot make with ALTER TABLE.
    addMigration(
      '20270102000000_redefine_parent',
      [
        'PRAGMA defer_foreign_keys=ON;',
        'PRAGMA foreign_keys=OFF;',
        'CREATE TABLE "new_Parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL DEFAULT \'\');',
        'INSERT INTO "new_Parent" ("id", "name") SELECT "id", coalesce("name", \'\') AS "name" FROM "Parent";',
        'DROP TABLE "Parent";',
        'ALTER TABLE "new_Parent" RENAME TO "Parent";',
        'PRAGMA foreign_keys=ON;',
        'PRAGMA defer_foreign_keys=OFF;',
        '',
      ].join('\n'),
    );

    expect(applyMigrations({ databasePath, migrationsDir }).applied).toEqual(['20270102000000_redefine_parent']);
    expect(withDb((db) => db.prepare('SELECT count(*) FROM "Child"').pluck().get())).toBe(1);
  });
});

describe('scriptMatchesChecksum', () => {
  it('renders checksums as the Prisma engine does', () => {
    // The engine's own test vector (schema-connector/src/checksum.rs).
    expect(migrationChecksum('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('tolerates line-ending changes but not content changes', () => {
    expect(scriptMatchesChecksum('a;\r\nb;\r\n', migrationChecksum('a;\nb;\n'))).toBe(true);
    expect(scriptMatchesChecksum('a;\nb;\n', migrationChecksum('a;\r\nb;\r\n'))).toBe(true);
    expect(scriptMatchesChecksum('abc\n', migrationChecksum('abc'))).toBe(false);
  });

  it('accepts the unpadded checksums an old engine wrote', () => {
    // sha256('hello') has the byte 0x0e, which the old engine wrote as "e".
    expect(scriptMatchesChecksum('hello', '2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824')).toBe(true);
  });
});

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmptyStore, MIGRATIONS } from '../../test/harness/store.ts';
import { isParadumpError, type ErrorCode } from '../core/errors.ts';
import { applyMigrations, migrationChecksum, readMigrations } from './apply-migrations.ts';
import { applyPostgresMigrations } from './apply-postgres-migrations.ts';

const shipped = readMigrations(MIGRATIONS.postgresql, 'postgresql').map((m) => m.name);

let dir: string;
let migrationsDir: string;
let store: Awaited<ReturnType<typeof createEmptyStore>>;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'paradump-pg-migrations-'));
  migrationsDir = path.join(dir, 'migrations');
  cpSync(MIGRATIONS.postgresql, migrationsDir, { recursive: true });
  store = await createEmptyStore('postgresql');
});

afterEach(async () => {
  await store.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const apply = () => applyPostgresMigrations({ url: store.url, migrationsDir });

function addMigration(name: string, script: string): void {
  mkdirSync(path.join(migrationsDir, name));
  writeFileSync(path.join(migrationsDir, name, 'migration.sql'), script);
}

async function expectStoreError(run: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  const caught = await run().then(() => undefined, (error: unknown) => error);
  expect(isParadumpError(caught, code), `expected ParadumpError ${code}, got ${String(caught)}`).toBe(true);
}

describe('applyPostgresMigrations', () => {
  it('applies every migration once, recorded as Prisma records it, and is a no-op after', async () => {
    expect((await apply()).applied).toEqual(shipped);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>('SELECT * FROM "_prisma_migrations" ORDER BY started_at');
    const script = readFileSync(path.join(migrationsDir, shipped[0]!, 'migration.sql'), 'utf8');
    expect(rows[0]).toMatchObject({ migration_name: shipped[0], checksum: migrationChecksum(script), applied_steps_count: 1 });
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
    expect((await apply()).applied).toEqual([]);
  });

  it('two processes starting at once apply each migration once (advisory lock)', async () => {
    const results = await Promise.all([apply(), apply(), apply()]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, shipped.length]);
    expect(await query('SELECT migration_name FROM "_prisma_migrations"')).toHaveLength(shipped.length);
  });

  it('refuses a migration edited after it was applied, and one this checkout does not know', async () => {
    addMigration('20270101000000_later', 'CREATE TABLE "Later" ("id" INTEGER);\n');
    await apply();
    writeFileSync(path.join(migrationsDir, '20270101000000_later', 'migration.sql'), 'CREATE TABLE "Later" ("id" BIGINT);\n');
    await expectStoreError(apply, 'MIGRATION_MODIFIED');
    rmSync(path.join(migrationsDir, '20270101000000_later'), { recursive: true });
    await expectStoreError(apply, 'MIGRATION_MISSING');
  });

  it('rolls a failed migration back whole, records it, and refuses to go on until it is resolved', async () => {
    await apply();
    addMigration('20270101000000_broken', 'CREATE TABLE "Ok" ("id" INTEGER);\nCREATE TABLE "Run" ("id" TEXT);\n');
    await expectStoreError(apply, 'MIGRATION_FAILED');
    const [broken] = await query<{ finished_at: Date | null; logs: string }>('SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = $1', ['20270101000000_broken']);
    expect(broken?.finished_at).toBeNull();
    expect(broken?.logs).toContain('already exists');
    // In a transaction: the statement before the failing one left nothing behind.
    expect(await query("SELECT 1 FROM pg_class WHERE relname = 'Ok'")).toHaveLength(0);
    writeFileSync(path.join(migrationsDir, '20270101000000_broken', 'migration.sql'), 'SELECT 1;\n');
    await expectStoreError(apply, 'MIGRATION_FAILED');
    await query('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE finished_at IS NULL');
    expect((await apply()).applied).toEqual(['20270101000000_broken']);
  });

  it('refuses a database that has tables but no migration history', async () => {
    await query('CREATE TABLE "something_else" ("id" INTEGER)');
    await expectStoreError(apply, 'STORE_NOT_EMPTY');
  });

  it('refuses SQLite migrations, and says so when the server cannot be reached', async () => {
    await expectStoreError(() => applyPostgresMigrations({ url: store.url, migrationsDir: MIGRATIONS.sqlite }), 'MIGRATION_PROVIDER_MISMATCH');
    await expectStoreError(() => applyPostgresMigrations({ url: 'postgresql://postgres:secret@127.0.0.1:1/none', migrationsDir }), 'STORE_UNREACHABLE');
  });
});

type Shape = Record<string, Record<string, { type: string; nullable: boolean }>>;

const SQLITE_TYPE: Record<string, string> = { TEXT: 'text', DATETIME: 'timestamp', BIGINT: 'bigint', INTEGER: 'integer', REAL: 'float', BOOLEAN: 'boolean' };
const PG_TYPE: Record<string, string> = { text: 'text', 'timestamp without time zone': 'timestamp', bigint: 'bigint', integer: 'integer', 'double precision': 'float', boolean: 'boolean', 'USER-DEFINED': 'text' };

// The two migration histories must build the same tables: a migration added to one folder and not
// the other fails here.
describe('the SQLite and PostgreSQL migrations', () => {
  it('make the same tables, columns, types, nullability and index names', async () => {
    const databasePath = path.join(dir, 'parity.db');
    applyMigrations({ databasePath, migrationsDir: MIGRATIONS.sqlite });
    await apply();
    const db = new Database(databasePath);
    const sqlite: Shape = {};
    let sqliteIndexes: string[];
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations'").pluck().all() as string[];
      for (const t of tables) {
        sqlite[t] = {};
        for (const c of db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string; type: string; notnull: number; pk: number }[]) {
          sqlite[t][c.name] = { type: SQLITE_TYPE[c.type] ?? c.type, nullable: c.notnull === 0 && c.pk === 0 };
        }
      }
      sqliteIndexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]).sort();
    } finally {
      db.close();
    }
    const postgres: Shape = {};
    const columns = await query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name != '_prisma_migrations'",
    );
    for (const c of columns) (postgres[c.table_name] ??= {})[c.column_name] = { type: PG_TYPE[c.data_type] ?? c.data_type, nullable: c.is_nullable === 'YES' };
    const pgIndexes = (await query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey'")).map((r) => r.indexname).sort();

    expect(Object.keys(sqlite).sort()).toEqual(['Drill', 'DrillPolicy', 'Plan', 'PlanLog', 'Run', 'RunChunk', 'RunCopy', 'RunLock', 'RunLog', 'RunSample', 'RunSnapshot', 'RunTable', 'Server', 'Session', 'StorageTarget', 'User']);
    expect(postgres).toEqual(sqlite);
    expect(pgIndexes).toEqual(sqliteIndexes);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addServer } from '../../lib/runs/servers.ts';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { getPrisma } from '../../lib/store/prisma.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { createTestDatabase, serverAddress, type TestDatabase } from './db.ts';
import { MIGRATIONS } from './store.ts';

/** What the plan and drill integration tests set up: a migrated SQLite store, a dump root, a source database. */
export interface PlanStoreFixture {
  /** The temp dir holding the store (`store.db`) and the dump root (`dumps/`). */
  dir: string;
  /** The test database on the harness server, with the tables asked for. */
  db: TestDatabase;
  /** Saves `uri`'s server (default: the harness server) under `name`; its id. */
  addServer(name: string, uri?: string): Promise<string>;
  /** Drops the database, disconnects the store and removes the temp dir. Call after stopping services. */
  close(): Promise<void>;
}

/**
 * A migrated SQLite store in a temp dir made the process's store (PARADUMP_DATABASE_URL), the dump
 * root under it (PARADUMP_DUMP_ROOT), and a test database on `uri` holding chunk tables.
 */
export async function createPlanStore({ uri, prefix, tables }: { uri: string; prefix: string; tables: readonly { name: string; rows: number }[] }): Promise<PlanStoreFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), `paradump-${prefix}-`));
  const databasePath = path.join(dir, 'store.db');
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = path.join(dir, 'dumps');
  applyMigrations({ databasePath, migrationsDir: MIGRATIONS.sqlite });
  const db = await createTestDatabase(uri, prefix);
  for (const t of tables) await createChunkTable({ uri, db: db.name, table: t.name, rows: t.rows });
  return {
    dir,
    db,
    addServer: async (name, serverUri = uri) => (await addServer({ name, ...serverAddress(serverUri) })).id,
    close: async () => {
      await db.drop();
      await getPrisma().$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

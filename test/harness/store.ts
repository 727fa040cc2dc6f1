import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { applyPostgresMigrations } from '../../lib/store/apply-postgres-migrations.ts';
import type { StoreProvider } from '../../lib/store/database-url.ts';
import { getPrisma } from '../../lib/store/prisma.ts';

/** Both stores, for `describe.each(STORE_PROVIDERS)`: store-level tests run against each. */
export const STORE_PROVIDERS: readonly StoreProvider[] = ['sqlite', 'postgresql'];

const root = path.resolve(import.meta.dirname, '../..');
export const MIGRATIONS = { sqlite: path.join(root, 'prisma', 'migrations'), postgresql: path.join(root, 'prisma', 'postgres', 'migrations') } as const;

export interface TestStore {
  provider: StoreProvider;
  /** What PARADUMP_DATABASE_URL is set to. */
  url: string;
  /** Disconnects the process's client and removes the store (file or database). */
  drop(): Promise<void>;
}

async function admin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresUri') });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A new empty store, unmigrated: a file in a temp dir, or a database in the run's PostgreSQL cluster. */
export async function createEmptyStore(provider: StoreProvider): Promise<Omit<TestStore, 'drop'> & { databasePath?: string; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'paradump-store-'));
    const databasePath = path.join(dir, 'data', 'paradump.db');
    return { provider, url: `file:${databasePath}`, databasePath, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `store_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(inject('postgresUri'));
  url.pathname = `/${name}`;
  return { provider, url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

/**
 * A migrated store of `provider`, made the process's store (PARADUMP_DATABASE_URL), as the app has
 * it after start-up.
 */
export async function createTestStore(provider: StoreProvider): Promise<TestStore> {
  const store = await createEmptyStore(provider);
  if (store.databasePath) applyMigrations({ databasePath: store.databasePath, migrationsDir: MIGRATIONS.sqlite });
  else await applyPostgresMigrations({ url: store.url, migrationsDir: MIGRATIONS.postgresql });
  process.env.PARADUMP_DATABASE_URL = store.url;
  return {
    provider,
    url: store.url,
    drop: async () => {
      if (process.env.PARADUMP_DATABASE_URL === store.url) await getPrisma().$disconnect();
      await store.drop();
    },
  };
}

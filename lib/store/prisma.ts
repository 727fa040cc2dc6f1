import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-pg/client.ts';
import { resolveDatabasePath } from './database-path.ts';
import { databaseUrl, storeProvider, type StoreProvider } from './database-url.ts';

// One client per process, kept on globalThis so that dev-mode module reloads don't open another
// connection to the same store each time. Keyed by the store, so a process that points
// PARADUMP_DATABASE_URL elsewhere (a test file after another) gets a client for the new store.
const globalForStore = globalThis as typeof globalThis & { paradumpPrisma?: { key: string; provider: StoreProvider; client: PrismaClient } };

/**
 * The process-wide Prisma client for the dashboard's store, created on first use: SQLite for a
 * `file:` URL, PostgreSQL for a `postgresql://` one. Both clients are generated from the same models
 * (prisma/postgres/schema.prisma is generated from prisma/schema.prisma), so callers see one type.
 */
export function getPrisma(): PrismaClient {
  const url = databaseUrl();
  const provider = storeProvider(url);
  const key = provider === 'sqlite' ? resolveDatabasePath({ url }) : url;
  if (globalForStore.paradumpPrisma?.key !== key) {
    globalForStore.paradumpPrisma = { key, provider, client: provider === 'sqlite' ? createSqliteClient(key) : createPostgresClient(url) };
  }
  return globalForStore.paradumpPrisma.client;
}

/** The provider of the client getPrisma() returns: for the few raw statements that differ. */
export function getStoreProvider(): StoreProvider {
  return storeProvider(databaseUrl());
}

function createSqliteClient(databasePath: string): PrismaClient {
  mkdirSync(path.dirname(databasePath), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: databasePath }) });
}

function createPostgresClient(url: string): PrismaClient {
  const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  // The same models with the same fields and result types. The compiler finds one difference, and
  // it is in what the PostgreSQL client accepts (more $transaction isolation levels than SQLite's
  // one), so code written against the SQLite client's type is valid on it.
  return client as unknown as PrismaClient;
}

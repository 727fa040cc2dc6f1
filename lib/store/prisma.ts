import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.ts';
import { resolveDatabasePath } from './database-path.ts';

// One client per process, kept on globalThis so that dev-mode module reloads don't open another
// connection to the same SQLite file each time.
const globalForStore = globalThis as typeof globalThis & { paradumpPrisma?: PrismaClient };

/** The process-wide Prisma client for the dashboard's store, created on first use. */
export function getPrisma(): PrismaClient {
  globalForStore.paradumpPrisma ??= createPrismaClient();
  return globalForStore.paradumpPrisma;
}

function createPrismaClient(): PrismaClient {
  const databasePath = resolveDatabasePath();
  mkdirSync(path.dirname(databasePath), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: databasePath }) });
}

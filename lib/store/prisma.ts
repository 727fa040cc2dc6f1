import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.ts';
import { resolveDatabasePath } from './database-path.ts';

// One client per process, kept on globalThis so that dev-mode module reloads don't open another
// connection to the same SQLite file each time. Keyed by the file, so a process that points
// PARADUMP_DATABASE_URL elsewhere (a test file after another) gets a client for the new store.
const globalForStore = globalThis as typeof globalThis & { paradumpPrisma?: { databasePath: string; client: PrismaClient } };

/** The process-wide Prisma client for the dashboard's store, created on first use. */
export function getPrisma(): PrismaClient {
  const databasePath = resolveDatabasePath();
  if (globalForStore.paradumpPrisma?.databasePath !== databasePath) {
    globalForStore.paradumpPrisma = { databasePath, client: createPrismaClient(databasePath) };
  }
  return globalForStore.paradumpPrisma.client;
}

function createPrismaClient(databasePath: string): PrismaClient {
  mkdirSync(path.dirname(databasePath), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: databasePath }) });
}

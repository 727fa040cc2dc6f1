import path from 'node:path';
import { isParadumpError } from '../core/errors.ts';
import { applyMigrations, type ApplyMigrationsResult } from './apply-migrations.ts';
import { applyPostgresMigrations } from './apply-postgres-migrations.ts';
import { resolveDatabasePath } from './database-path.ts';
import { databaseUrl, redactDatabaseUrl, storeProvider } from './database-url.ts';

/**
 * Brings the store named by `url` up to date from the project's migrations: `prisma/migrations`
 * for SQLite, `prisma/postgres/migrations` for PostgreSQL. Returns what it applied and where.
 */
export async function migrateStore({ url = databaseUrl(), cwd = process.cwd() }: { url?: string; cwd?: string } = {}): Promise<ApplyMigrationsResult & { store: string }> {
  if (storeProvider(url) === 'postgresql') {
    const result = await applyPostgresMigrations({ url, migrationsDir: path.join(cwd, 'prisma', 'postgres', 'migrations') });
    return { ...result, store: redactDatabaseUrl(url) };
  }
  const databasePath = resolveDatabasePath({ url, cwd });
  return { ...applyMigrations({ databasePath, migrationsDir: path.join(cwd, 'prisma', 'migrations') }), store: databasePath };
}

/**
 * Applies pending migrations to the store named by PARADUMP_DATABASE_URL (`next start` runs in the
 * project root). A store that cannot be brought up to date ends the process: Next.js would otherwise
 * go on serving a 500 for every page.
 */
export async function migrateStoreOnStart({ cwd = process.cwd() }: { cwd?: string } = {}): Promise<void> {
  try {
    const { applied, store } = await migrateStore({ cwd });
    if (applied.length > 0) console.log(`paradump: applied ${applied.join(', ')} to ${store}`);
  } catch (error) {
    console.error(
      isParadumpError(error) ? `paradump: the store cannot be used (${error.code}): ${error.message}` : error,
    );
    process.exit(1);
  }
}

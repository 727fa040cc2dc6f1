import path from 'node:path';
import { isParadumpError } from '../core/errors.ts';
import { applyMigrations } from './apply-migrations.ts';
import { resolveDatabasePath } from './database-path.ts';

/**
 * Applies pending migrations to the store named by PARADUMP_DATABASE_URL, from the project's
 * `prisma/migrations` (`next start` runs in the project root). A store that cannot be brought up to
 * date ends the process: Next.js would otherwise go on serving a 500 for every page.
 */
export function migrateStoreOnStart({ cwd = process.cwd() }: { cwd?: string } = {}): void {
  try {
    const databasePath = resolveDatabasePath({ cwd });
    const { applied } = applyMigrations({ databasePath, migrationsDir: path.join(cwd, 'prisma', 'migrations') });
    if (applied.length > 0) console.log(`paradump: applied ${applied.join(', ')} to ${databasePath}`);
  } catch (error) {
    console.error(
      isParadumpError(error) ? `paradump: the store cannot be used (${error.code}): ${error.message}` : error,
    );
    process.exit(1);
  }
}

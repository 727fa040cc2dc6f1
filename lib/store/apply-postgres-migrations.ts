import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ParadumpError } from '../core/errors.ts';
import { migrationChecksum, pendingMigrations, readMigrations, type ApplyMigrationsResult, type MigrationFile, type MigrationRow } from './apply-migrations.ts';
import { redactDatabaseUrl } from './database-url.ts';

// The table the Prisma schema engine creates on PostgreSQL, so `prisma migrate deploy` on a
// connected machine reads our history as its own.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Prisma Migrate's own advisory lock key: processes starting together on several machines (and a
// `prisma migrate deploy` run by hand) take turns, so no migration is applied twice.
const MIGRATE_LOCK_KEY = 72707369;

/**
 * Applies the pending migrations of `prisma/postgres/migrations` to the PostgreSQL store, as
 * applyMigrations does for SQLite: same history table, same refusals. Here DDL is transactional,
 * so each migration runs in a transaction and a failed one leaves nothing half-applied (it is
 * still recorded as failed and must be resolved, as Prisma requires).
 */
export async function applyPostgresMigrations({ url, migrationsDir }: { url: string; migrationsDir: string }): Promise<ApplyMigrationsResult> {
  const migrations = readMigrations(migrationsDir, 'postgresql');
  const store = redactDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new ParadumpError('STORE_UNREACHABLE', `Cannot connect to the store at ${store}: ${error instanceof Error ? error.message : String(error)}`, { details: { store }, cause: error });
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    await ensureMigrationsTable(client, store);
    const { rows } = await client.query<MigrationRow>('SELECT checksum, migration_name, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at');
    const pending = pendingMigrations({ rows, migrations, migrationsDir, store });
    for (const migration of pending) await applyOne(client, migration);
    return { applied: pending.map((migration) => migration.name) };
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end().catch(() => undefined);
  }
}

async function ensureMigrationsTable(client: pg.Client, store: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY c.relname`,
  );
  const objects = rows.map((row) => row.name);
  if (objects.includes('_prisma_migrations')) return;
  if (objects.length > 0) {
    throw new ParadumpError(
      'STORE_NOT_EMPTY',
      `${store} already holds tables (${objects.join(', ')}) but no migration history, so it is not a paradump store; ` +
        'point PARADUMP_DATABASE_URL at a new database.',
      { details: { store, tables: objects } },
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE);
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [id, migrationChecksum(migration.script), migration.name]);
  try {
    // No parameters: the simple query protocol, which runs a multi-statement script.
    await client.query(`BEGIN;\n${migration.script}\n;COMMIT;`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    await client.query('UPDATE "_prisma_migrations" SET logs = $1 WHERE id = $2', [message, id]);
    throw new ParadumpError('MIGRATION_FAILED', `Migration ${migration.name} failed: ${message}`, { details: { migrationName: migration.name }, cause: error });
  }
  await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
}

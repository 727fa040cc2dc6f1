import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { openServerPassword, sealLegacyPasswords, sealServerPassword, secretKeyFile } from './server-secret.ts';

const MARKER = 'Mk7-SECRET-marker-Zq';
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-secret-'));
const databasePath = path.join(dir, 'store.db');
const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations');

beforeAll(() => {
  delete process.env.PARADUMP_SECRET;
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
});
afterAll(async () => {
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('server passwords at rest', () => {
  it('seals a password saved before the migration, and the store keeps only the sealed form', async () => {
    // A store as the previous release left it: a plain password column.
    const old = path.join(dir, 'old-migrations');
    cpSync(migrationsDir, old, { recursive: true });
    // The security migration and every later one were not there yet.
    for (const name of readdirSync(old)) if (name >= '20261201090000_security' && name !== 'migration_lock.toml') rmSync(path.join(old, name), { recursive: true });
    rmSync(databasePath, { force: true });
    applyMigrations({ databasePath, migrationsDir: old });
    const db = new Database(databasePath);
    db.prepare(`INSERT INTO "Server" ("id", "name", "host", "port", "user", "password") VALUES ('s1', 'old', '127.0.0.1', 3306, 'root', ?)`).run(MARKER);
    db.close();

    applyMigrations({ databasePath, migrationsDir });
    expect(await sealLegacyPasswords()).toBe(1);
    expect(await sealLegacyPasswords()).toBe(0);

    const row = await getPrisma().server.findUniqueOrThrow({ where: { id: 's1' } });
    expect(row.passwordSealed).toMatch(/^v1:/);
    expect(row).not.toHaveProperty('password');
    expect(await openServerPassword({ serverId: 's1', sealed: row.passwordSealed })).toBe(MARKER);
    // Bound to the server: a sealed password copied onto another row does not open.
    await expect(openServerPassword({ serverId: 's2', sealed: row.passwordSealed })).rejects.toThrow(/re-enter/);
    await getPrisma().$disconnect();
    expect(readFileSync(databasePath).includes(Buffer.from(MARKER))).toBe(false);
    expect(statSync(secretKeyFile()).mode & 0o777).toBe(0o600);
    expect(path.dirname(secretKeyFile())).toBe(dir);
  });

  it('leaves no password as no password', async () => {
    expect(await sealServerPassword({ serverId: 'x', password: '' })).toBe('');
    expect(await openServerPassword({ serverId: 'x', sealed: '' })).toBe('');
  });
});

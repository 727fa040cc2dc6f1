import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { checksumTables, connect, createTestDatabase, quoteIdent, serverAddress, type TestDatabase } from '../../test/harness/db.ts';
import { keyId } from '../core/dump-key.ts';
import { dump } from '../engine/dump.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { loadRunState } from './load-run-state.ts';
import { openRunStream } from './open-run-stream.ts';
import { getLiveRun } from './registry.ts';
import { addServer } from './servers.ts';
import { startDump } from './start-dump.ts';
import { startRestore } from './start-restore.ts';

const uri = inject('mariadbUri');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-restore-enc-'));
const databasePath = path.join(dir, 'store.db');
const key = randomBytes(32);
const keyFile = path.join(dir, 'backup.key');
const otherFile = path.join(dir, 'other.key');
let db: TestDatabase;
let serverId: string;
let dumpId: string;
const targets: string[] = [];

async function query<T>(sql: string): Promise<T[]> {
  const c = await connect(uri);
  try {
    const [rows] = await c.query(sql);
    return rows as T[];
  } finally {
    await c.end();
  }
}

async function waitForEnd(id: string): Promise<void> {
  const live = getLiveRun(id);
  await new Response(await openRunStream({ id, lastEventId: live?.eventId ?? null })).text();
}

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = dir;
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  writeFileSync(keyFile, key.toString('hex'));
  writeFileSync(otherFile, randomBytes(32));
  db = await createTestDatabase(uri, 'renc');
  await createChunkTable({ uri, db: db.name, table: 'items', rows: 3_000 });
  serverId = (await addServer({ name: 'encrypted source', ...serverAddress(uri) })).id;
  const dumpDir = path.join(dir, 'dump');
  ({ id: dumpId } = await startDump({ serverId, databases: [db.name], tables: [], threads: 2, chunkRows: 500, lock: 'snapshot', compress: 'zstd', outDir: dumpDir }));
  await waitForEnd(dumpId);
  // The run's directory gets an encrypted dump made by the engine (the dashboard's own: dump-encrypted.test.ts).
  await rm(dumpDir, { recursive: true, force: true });
  await dump({ source: uri, outDir: dumpDir, databases: [db.name], threads: 2, chunkRows: 500, encryption: { keyFile } });
});

afterAll(async () => {
  for (const name of targets) await query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  await db?.drop();
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('restore runs of an encrypted dump', () => {
  const ask = (into: string, decryptKeyFile?: string) => startRestore({ sourceRunId: dumpId, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 2, verify: true, dropExisting: false, pitr: null, ...(decryptKeyFile ? { decryptKeyFile } : {}) });

  it('refuses a missing, unreadable or other key at the key file field before a run exists or the target changes', async () => {
    const into = `${db.name}_refused`;
    targets.push(into);
    const runs = await getPrisma().run.count();
    await expect(ask(into)).rejects.toMatchObject({ code: 'KEY_REQUIRED', details: { path: 'decryptKeyFile', keyId: keyId(key) } });
    await expect(ask(into, otherFile)).rejects.toMatchObject({ code: 'KEY_MISMATCH', details: { path: 'decryptKeyFile' } });
    await expect(ask(into, path.join(dir, 'missing.key'))).rejects.toMatchObject({ code: 'KEY_FILE_INVALID', details: { path: 'decryptKeyFile' } });
    expect(await getPrisma().run.count()).toBe(runs);
    expect(await query(`SHOW DATABASES LIKE '${into}'`)).toHaveLength(0);
  });

  it('restores and verifies with the key file; the run stores its path, never the key', async () => {
    const into = `${db.name}_ok`;
    targets.push(into);
    const { id } = await ask(into, keyFile);
    await waitForEnd(id);
    const state = await loadRunState({ id });
    expect(state).toMatchObject({ status: 'succeeded', error: null });
    expect(state.verification.every((v) => v.ok === v.chunks && v.mismatched.length === 0)).toBe(true);
    expect(await checksumTables(uri, into)).toEqual(await checksumTables(uri, db.name));
    const row = await getPrisma().run.findUniqueOrThrow({ where: { id } });
    expect(row.options).toContain(keyFile);
    expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(key.toString('hex'));
  });
});

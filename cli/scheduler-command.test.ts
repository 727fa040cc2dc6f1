import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../test/fixtures/generate.ts';
import { createTestDatabase, type TestDatabase } from '../test/harness/db.ts';
import { savePlan } from '../lib/plans/plan-store.ts';
import { addServer } from '../lib/runs/servers.ts';
import { applyMigrations } from '../lib/store/apply-migrations.ts';
import { getPrisma } from '../lib/store/prisma.ts';

const uri = inject('mariadbUri');
const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-scheduler-cli-'));
const databasePath = path.join(dir, 'store.db');
let db: TestDatabase;

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = path.join(dir, 'dumps');
  applyMigrations({ databasePath, migrationsDir: path.join(root, 'prisma', 'migrations') });
  db = await createTestDatabase(uri, 'schedcli');
  await createChunkTable({ uri, db: db.name, table: 'items', rows: 500 });
});

afterAll(async () => {
  await db?.drop();
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('paradump scheduler', () => {
  it('runs the store’s plans without the web UI and stops cleanly on SIGTERM', async () => {
    const u = new URL(uri);
    // Saved by this process: the CLI opens the password with the key file next to the same store.
    const server = await addServer({ name: 'cli source', host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
    const { id: planId } = await savePlan({ input: { name: 'cli plan', serverId: server.id, databases: [db.name], dump: { threads: 1, chunkRows: 1000 }, schedule: { cron: '*/2 * * * * *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false } } });
    const child = spawn(process.execPath, [path.join(root, 'bin', 'paradump.mjs'), 'scheduler'], {
      cwd: root,
      env: { ...process.env, PARADUMP_FROM_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The drill scheduler's start line may come first: wait for the plan scheduler's own line.
      await until('the plan scheduler to start', () => out.includes('plan “cli plan”: every 2 seconds (UTC), next '));
      await until('a good backup by the CLI scheduler', async () => (await getPrisma().run.count({ where: { planId, status: 'succeeded' } })) > 0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopping: waiting for running backups');
    // Nothing was left running by the stop.
    expect(await getPrisma().run.count({ where: { planId, status: 'running' } })).toBe(0);
  });
});

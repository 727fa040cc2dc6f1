import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { open, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checksumTables, connect, quoteIdent, type TestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { keyId } from '../core/dump-key.ts';
import { ENCRYPTION_MAGIC } from '../core/encrypted-file.ts';
import { getPlanService, runPlanNow, startPlanService } from '../plans/plan-service.ts';
import { savePlan } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { loadRunState } from './load-run-state.ts';
import { openRunStream } from './open-run-stream.ts';
import { getLiveRun } from './registry.ts';
import { startDump, StartDumpInput } from './start-dump.ts';
import { startRestore } from './start-restore.ts';

const uri = inject('mariadbUri');
const key = randomBytes(32);
let store: PlanStoreFixture;
let db: TestDatabase;
let serverId: string;
let keyFile: string;
let badKeyFile: string;
const targets: string[] = [];

async function waitForEnd(id: string): Promise<void> {
  const live = getLiveRun(id);
  await new Response(await openRunStream({ id, lastEventId: live?.eventId ?? null })).text();
}

/** The store row as text, every field: the key must be in none of them, in any spelling. */
const rowText = (row: object) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
const keySpellings = () => [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url')];

/** The dump at `outDir` is sealed with the key: a v4 manifest naming its id, data files starting with the header. */
async function expectEncryptedDump(outDir: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as { version: number; encryption?: { keyId: string } };
  // Encryption needs version 4 at least (later versions add to it).
  expect(manifest.version).toBeGreaterThanOrEqual(4);
  expect(manifest.encryption?.keyId).toBe(keyId(key));
  const dataDir = path.join(outDir, 'data', db.name);
  const files = await readdir(dataDir);
  expect(files.length).toBeGreaterThan(0);
  const handle = await open(path.join(dataDir, files[0]!));
  try {
    const head = Buffer.alloc(ENCRYPTION_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    expect(head.equals(ENCRYPTION_MAGIC)).toBe(true);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'denc', tables: [{ name: 'items', rows: 3_000 }] });
  db = store.db;
  serverId = await store.addServer('encrypting source');
  keyFile = path.join(store.dir, 'backup.key');
  badKeyFile = path.join(store.dir, 'bad.key');
  writeFileSync(keyFile, `${key.toString('hex')}\n`);
  writeFileSync(badKeyFile, 'not a key at all\n');
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await getPlanService()?.stop();
  const c = await connect(uri);
  try {
    for (const name of targets) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  } finally {
    await c.end();
  }
  await store?.close();
});

describe('encrypted dumps from the dashboard', () => {
  const ask = (outDir: string, encryptKeyFile?: string) => startDump({ serverId, databases: [db.name], tables: [], threads: 2, chunkRows: 500, lock: 'snapshot', compress: 'zstd', outDir, ...(encryptKeyFile ? { encryptKeyFile } : {}) });

  it('encrypts with the key file; the run stores its path and id, never the key; it restores with the key', async () => {
    const outDir = path.join(process.env.PARADUMP_DUMP_ROOT!, 'encrypted');
    const { id } = await ask(outDir, keyFile);
    await waitForEnd(id);
    const state = await loadRunState({ id });
    expect([state.status, state.error]).toEqual(['succeeded', null]);
    expect(state.options?.encryption).toEqual({ keyFile, keyId: keyId(key) });
    await expectEncryptedDump(outDir);
    const row = await getPrisma().run.findUniqueOrThrow({ where: { id } });
    expect(row.options).toContain(keyFile);
    for (const spelling of keySpellings()) expect(rowText(row)).not.toContain(spelling);

    const into = `${db.name}_back`;
    targets.push(into);
    const restore = await startRestore({ sourceRunId: id, targetServerId: serverId, rename: { [db.name]: into }, tables: [], threads: 2, verify: true, dropExisting: false, pitr: null, decryptKeyFile: keyFile });
    await waitForEnd(restore.id);
    expect((await loadRunState({ id: restore.id })).status).toBe('succeeded');
    expect(await checksumTables(uri, into)).toEqual(await checksumTables(uri, db.name));
  });

  it('refuses a bad, missing or relative key file at its field, with nothing saved or written', async () => {
    const runs = await getPrisma().run.count();
    const outDir = path.join(process.env.PARADUMP_DUMP_ROOT!, 'refused');
    await expect(ask(outDir, badKeyFile)).rejects.toMatchObject({ code: 'KEY_FILE_INVALID', details: { path: 'encryptKeyFile' } });
    await expect(ask(outDir, path.join(store.dir, 'missing.key'))).rejects.toMatchObject({ code: 'KEY_FILE_INVALID', details: { path: 'encryptKeyFile', reason: 'UNREADABLE' } });
    expect(await getPrisma().run.count()).toBe(runs);
    expect(existsSync(outDir)).toBe(false);
    const relative = StartDumpInput.safeParse({ serverId, databases: [db.name], encryptKeyFile: 'backup.key' });
    expect(relative.success ? [] : relative.error.issues.map((i) => i.path.join('.'))).toEqual(['encryptKeyFile']);
    // Empty is no key (the field is optional).
    const empty = StartDumpInput.safeParse({ serverId, databases: [db.name], encryptKeyFile: '  ' });
    expect(empty.success && empty.data.encryptKeyFile).toBe(undefined);
  });

  it('a plan with a key file makes encrypted runs; a bad key file is refused at its field and no plan is saved', async () => {
    const plan = (encryptKeyFile: string, name: string) => ({ name, serverId, databases: [db.name], dump: { threads: 2, chunkRows: 500, encryptKeyFile }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 3 }, alerts: { stale: false } });
    const plans = await getPrisma().plan.count();
    await expect(savePlan({ input: plan(badKeyFile, 'bad key') })).rejects.toMatchObject({ code: 'KEY_FILE_INVALID', details: { path: 'dump.encryptKeyFile' } });
    await expect(savePlan({ input: plan('relative.key', 'relative key') })).rejects.toMatchObject({ code: 'BAD_OPTION', details: { path: 'dump.encryptKeyFile' } });
    expect(await getPrisma().plan.count()).toBe(plans);

    const { id: planId } = await savePlan({ input: plan(keyFile, 'encrypted nightly') });
    await runPlanNow({ id: planId });
    await getPlanService()!.scheduler.idle();
    const runs = await getPrisma().run.findMany({ where: { planId } });
    expect(runs.map((r) => [r.status, r.errorMessage])).toEqual([['succeeded', null]]);
    await expectEncryptedDump(runs[0]!.outDir);
    const planRow = await getPrisma().plan.findUniqueOrThrow({ where: { id: planId } });
    expect(planRow.settings).toContain(keyFile);
    for (const spelling of keySpellings()) {
      expect(rowText(planRow)).not.toContain(spelling);
      expect(rowText(runs[0]!)).not.toContain(spelling);
    }
  });
});

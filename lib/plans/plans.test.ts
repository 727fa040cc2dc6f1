import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/db.ts';
import { isParadumpError } from '../engine/errors.ts';
import { addServer } from '../runs/servers.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { applyRetention, finishHalfDeleted } from './apply-retention.ts';
import { readPlanLog } from './plan-log.ts';
import { getPlanService, runPlanNow, startPlanService } from './plan-service.ts';
import { savePlan } from './plan-store.ts';

const uri = inject('mariadbUri');
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-plans-'));
const databasePath = path.join(dir, 'store.db');
let db: TestDatabase;
let serverId: string;

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  process.env.PARADUMP_DUMP_ROOT = path.join(dir, 'dumps');
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  db = await createTestDatabase(uri, 'plans');
  await createChunkTable({ uri, db: db.name, table: 'items', rows: 3_000 });
  const u = new URL(uri);
  serverId = (await addServer({ name: 'plan source', host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) })).id;
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await getPlanService()?.stop();
  await db?.drop();
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a plan due every few seconds', () => {
  it('runs three times, keeps the last 2 (files and records), never overlaps', async () => {
    const { id: planId } = await savePlan({
      input: { name: 'every 4 s', serverId, databases: [db.name], dump: { threads: 2, chunkRows: 1000, compress: 'gzip' }, schedule: { cron: '*/4 * * * * *', timeZone: 'Europe/Paris' }, retention: { keepLast: 2 }, alerts: { stale: false } },
    });
    const prisma = getPrisma();
    // Three finished good runs, each followed by its retention pass.
    await until('three good runs with retention applied', async () => {
      const runs = await prisma.run.findMany({ where: { planId, status: 'succeeded' } });
      const passes = (await readPlanLog({ planId })).filter((l) => l.kind === 'retention' && l.message.startsWith('Retention:'));
      return runs.length >= 3 && passes.length >= 3;
    });
    await prisma.plan.update({ where: { id: planId }, data: { paused: true } });
    await getPlanService()!.scheduler.idle();
    const runs = await prisma.run.findMany({ where: { planId }, orderBy: { startedAt: 'asc' } });
    const good = runs.filter((r) => r.status === 'succeeded');
    expect(good.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.scheduledFor !== null)).toBe(true);
    // Keep last 2: the two newest good backups are whole, every older one is gone and marked.
    const kept = good.slice(-2);
    const removed = good.slice(0, -2);
    for (const r of kept) {
      expect(r.deleteState).toBeNull();
      expect(existsSync(path.join(r.outDir, 'manifest.json'))).toBe(true);
    }
    for (const r of removed) {
      expect(r.deleteState).toBe('deleted');
      expect(r.deletedAt).not.toBeNull();
      expect(existsSync(r.outDir)).toBe(false);
    }
    // No two runs of the plan overlapped in time.
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
    const log = await readPlanLog({ planId });
    for (const r of removed) expect(log.some((l) => l.kind === 'retention' && l.message.startsWith(`Deleted backup ${r.id}`))).toBe(true);
  });

  it('run now goes through the scheduler; a second request while it runs is refused', async () => {
    const { id: planId } = await savePlan({ input: { name: 'manual', serverId, databases: [db.name], dump: { threads: 1, chunkRows: 1000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    await runPlanNow({ id: planId });
    const second = await runPlanNow({ id: planId }).catch((e: unknown) => e);
    expect(isParadumpError(second, 'SKIPPED_OVERLAP')).toBe(true);
    await getPlanService()!.scheduler.idle();
    const runs = await getPrisma().run.findMany({ where: { planId } });
    expect(runs).toHaveLength(1);
    expect([runs[0]!.status, runs[0]!.errorMessage]).toEqual(['succeeded', null]);
    expect(runs[0]!.scheduledFor).toBeNull();
  });

  it('a failed run deletes nothing; a half-deleted backup is finished on the next pass', async () => {
    const { id: planId } = await savePlan({ input: { name: 'broken', serverId, databases: ['no_such_db_paradump'], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const prisma = getPrisma();
    // Two older good backups of this plan (files on disk), as if made before.
    const root = process.env.PARADUMP_DUMP_ROOT!;
    const olds = [];
    for (const n of [1, 2]) {
      const outDir = path.join(root, `broken-old-${n}`);
      await mkdir(outDir, { recursive: true });
      await writeFile(path.join(outDir, 'manifest.json'), '{}');
      olds.push(await prisma.run.create({ data: { kind: 'dump', status: 'succeeded', options: '{}', outDir, planId, serverId, finishedAt: new Date(Date.now() - n * 60_000) } }));
    }
    await runPlanNow({ id: planId });
    await getPlanService()!.scheduler.idle();
    const failed = await prisma.run.findFirstOrThrow({ where: { planId, status: { not: 'succeeded' } } });
    expect(failed.status).toBe('failed');
    expect(await applyRetention({ planId, runId: failed.id })).toBeNull();
    for (const old of olds) expect(existsSync(old.outDir)).toBe(true);
    expect((await readPlanLog({ planId })).some((l) => l.kind === 'retention' && /nothing was deleted/.test(l.message))).toBe(true);
    // A deletion interrupted between marking and removing: the next pass finishes it.
    await prisma.run.update({ where: { id: olds[1]!.id }, data: { deleteState: 'deleting' } });
    expect(await finishHalfDeleted({ planId })).toEqual([olds[1]!.id]);
    expect(existsSync(olds[1]!.outDir)).toBe(false);
    expect((await prisma.run.findUniqueOrThrow({ where: { id: olds[1]!.id } })).deleteState).toBe('deleted');
  });
});

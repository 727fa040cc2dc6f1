import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { log } from './dump-deltas.ts';
import { loadRunState } from './load-run-state.ts';
import { LiveRun } from './registry.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'paradump-fencing-'));
const databasePath = path.join(dir, 'store.db');

beforeAll(() => {
  process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
  applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
});

afterAll(async () => {
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

it('a stale attempt’s writes are refused whole and its run is stopped; the current attempt’s land', async () => {
  const prisma = getPrisma();
  const { id } = await prisma.run.create({ data: { kind: 'dump', status: 'running', attempt: 1, options: '{}', outDir: dir }, select: { id: true } });
  const stale = new LiveRun({ state: await loadRunState({ id }), knownTables: [] });
  // Another worker claims the run: attempt 2.
  await prisma.run.update({ where: { id }, data: { attempt: 2 } });
  const current = new LiveRun({ state: await loadRunState({ id }), knownTables: [] });

  stale.publish(log(new Date().toISOString(), 'info', null, 'from the stale attempt'));
  stale.publish({ type: 'status', status: 'failed', attempt: 1, error: { code: 'X', message: 'x' }, finishedAt: new Date().toISOString(), hasManifest: false });
  await expect(stale.recorder!.flush()).rejects.toMatchObject({ code: 'STALE_ATTEMPT' });
  expect(stale.controller.signal.aborted).toBe(true);
  expect(await prisma.runLog.count({ where: { runId: id } })).toBe(0);
  expect(await prisma.run.findUniqueOrThrow({ where: { id }, select: { status: true, attempt: true } })).toEqual({ status: 'running', attempt: 2 });

  current.publish(log(new Date().toISOString(), 'info', null, 'from attempt 2'));
  await current.recorder!.flush();
  expect((await prisma.runLog.findMany({ where: { runId: id }, select: { message: true } })).map((l) => l.message)).toEqual(['from attempt 2']);
});

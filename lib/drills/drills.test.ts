import { existsSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasValidSignature, startWebhookReceiver, type WebhookReceiver } from '../../test/harness/alert-receivers.ts';
import { connect, type TestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { Manifest } from '../core/manifest.ts';
import { AlertEvent } from '../plans/alert-event.ts';
import { applyRetention } from '../plans/apply-retention.ts';
import { readPlanLog } from '../plans/plan-log.ts';
import { getPlanService, runPlanNow, startPlanService } from '../plans/plan-service.ts';
import { savePlan } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillsIdle } from './drill-registry.ts';
import type { DrillPolicyInput } from './drill-schema.ts';
import { cancelDrill, drillPass, finishInterruptedDrills, runDrillNow, startDrill, startDrillService } from './drill-service.ts';
import { getDrill, getDrillPolicy, saveDrillPolicy } from './drill-store.ts';
import { createDrillRecord, runDrill } from './run-drill.ts';
import { Session } from '../mysql/session.ts';
import { getPlanDrills, listDrillSummaries, listServerDrillSummaries } from './drill-summaries.ts';

const uri = inject('mariadbUri');
let store: PlanStoreFixture;
let db: TestDatabase;
let serverId: string;
let scratchId: string;
let hook: WebhookReceiver;

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'drills', tables: [{ name: 'items', rows: 3_000 }, { name: 'big', rows: 40_000 }] });
  db = store.db;
  serverId = await store.addServer('drill source');
  // The scratch server is the test server under another name: the prefix keeps the drill apart.
  scratchId = await store.addServer('scratch');
  hook = await startWebhookReceiver();
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await drillsIdle();
  await getPlanService()?.stop();
  await hook?.close();
  await store?.close();
});

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Databases on the test server whose names start with `prefix`. */
async function databasesLike(prefix: string): Promise<string[]> {
  const conn = await connect(uri);
  try {
    const [rows] = await conn.query<import('mysql2').RowDataPacket[]>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`${prefix.replace(/_/g, '\\_')}%`]);
    return rows.map((r) => String(r.name));
  } finally {
    await conn.end();
  }
}

/** A plan over `tables` with one good backup made now, and its drill policy. */
async function planWithBackup({ name, tables = ['items'], drill, webhook = false }: { name: string; tables?: string[]; drill: DrillPolicyInput; webhook?: boolean }): Promise<{ planId: string; runId: string }> {
  const { id: planId } = await savePlan({
    input: { name, serverId, databases: [], tables: tables.map((t) => `${db.name}.${t}`), dump: { threads: 2, chunkRows: 1000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false, webhook: webhook ? { url: hook.url, secret: 'drill-secret-0123456789' } : null } },
  });
  await saveDrillPolicy({ planId, input: drill });
  await runPlanNow({ id: planId });
  await getPlanService()!.scheduler.idle();
  const run = await getPrisma().run.findFirstOrThrow({ where: { planId, status: 'succeeded' } });
  return { planId, runId: run.id };
}

const finished = (id: string) => until(`drill ${id} to finish`, async () => {
  const d = await getDrill({ id });
  return d.status === 'running' ? null : d;
});

describe('restore drills', () => {
  it('a plan with a drill after every backup, into a throwaway MariaDB, runs a backup and a drill and records the figures', async () => {
    const { id: planId } = await savePlan({ input: { name: 'drilled', serverId, databases: [], tables: [`${db.name}.items`], dump: { threads: 2, chunkRows: 500 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 2 }, alerts: { stale: false } } });
    await saveDrillPolicy({ planId, input: { trigger: { kind: 'backups', every: 1 }, target: { kind: 'throwaway' }, prefix: 'dt_', checks: [{ name: 'all items', sql: 'SELECT COUNT(*) FROM items', compare: '=', expected: '3000' }] } });
    const service = await startDrillService({ tickMs: 200 });
    try {
      await runPlanNow({ id: planId });
      await getPlanService()!.scheduler.idle();
      const backup = await getPrisma().run.findFirstOrThrow({ where: { planId, status: 'succeeded' } });
      const row = await until('the drill the backup triggers', () => getPrisma().drill.findFirst({ where: { planId } }));
      expect(row.trigger).toBe('backups');
      const drill = await finished(row.id);
      expect([drill.status, drill.errorMessage]).toEqual(['succeeded', null]);
      expect(drill.sourceRunId).toBe(backup.id);
      expect(drill.restoreMs).toBeGreaterThan(0);
      expect(drill.verifyMs).toBeGreaterThanOrEqual(0);
      expect([drill.rows, drill.chunks]).toEqual([3000, 6]);
      expect(drill.bytes).toBeGreaterThan(0);
      // The recovery point is the backup's snapshot: after the backup started, before it finished.
      expect(drill.recoveryPoint!.getTime()).toBeGreaterThanOrEqual(Math.floor(backup.startedAt.getTime() / 1000) * 1000);
      expect(drill.recoveryPoint!.getTime()).toBeLessThanOrEqual(backup.finishedAt!.getTime());
      expect(drill.checks).toMatchObject([{ name: 'all items', actual: '3000', ok: true }]);
      expect(drill.databases).toEqual([`dt_${db.name}`]);
      // The throwaway server it started is gone (stopped by PID), and with it everything it held.
      expect(drill.target).toMatchObject({ kind: 'throwaway' });
      expect(() => process.kill(drill.target!.pid!, 0)).toThrow();
      expect(drill.leftovers).toBeNull();
      // One backup, one drill: the next drill waits for the next backup.
      await drillPass();
      expect(await getPrisma().drill.count({ where: { planId } })).toBe(1);
      const summary = (await listDrillSummaries()).get(planId)!;
      expect(summary).toMatchObject({ health: 'ok', red: false });
      expect(summary.lastProven!.id).toBe(drill.id);
      // Per server: the newest proven restore over the server's plans, named by its plan.
      const perServer = (await listServerDrillSummaries()).get(serverId)!;
      expect(perServer.lastProven).toMatchObject({ id: drill.id, planName: 'drilled' });
      expect([perServer.plans, perServer.red]).toEqual([1, 0]);
      expect((await readPlanLog({ planId })).some((l) => l.kind === 'drill' && l.message.startsWith(`Restore drill ${drill.id} succeeded`))).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('a byte flipped in a chunk file fails the drill naming the chunk, alerts, and leaves nothing on the target', async () => {
    const { planId, runId } = await planWithBackup({ name: 'corrupted', webhook: true, drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'dc_' } });
    const { outDir } = await getPrisma().run.findUniqueOrThrow({ where: { id: runId } });
    const manifest = Manifest.parse(JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')));
    const chunk = manifest.tables[0]!.chunks[2]!;
    const file = await open(path.join(outDir, chunk.file), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 10);
    byte[0] = byte[0]! ^ 0x01;
    await file.write(byte, 0, 1, 10);
    await file.close();
    hook.received.length = 0;
    const { id } = await runDrillNow({ planId });
    const drill = await finished(id);
    expect([drill.status, drill.errorCode]).toEqual(['failed', 'CHECKSUM_MISMATCH']);
    expect(drill.failedChunk).toEqual({ database: db.name, table: 'items', index: chunk.index, file: chunk.file, range: null });
    expect(drill.errorMessage).toContain(chunk.file);
    await drillsIdle();
    const events = hook.received.map((r) => AlertEvent.parse(JSON.parse(r.body)));
    expect(events).toHaveLength(1);
    expect(hasValidSignature(hook.received[0]!, 'drill-secret-0123456789')).toBe(true);
    expect(events[0]).toMatchObject({ type: 'drill-failed', plan: { id: planId }, drill: { id, error: { code: 'CHECKSUM_MISMATCH' }, chunk: { database: db.name, table: 'items', index: chunk.index, file: chunk.file } } });
    expect(events[0]!.summary).toContain('Restore drill of plan “corrupted” failed');
    expect(await databasesLike('dc_')).toEqual([]);
    expect((await listDrillSummaries()).get(planId)).toMatchObject({ health: 'failed', red: true });
  });

  it('a user check that fails fails the drill; the target has nothing of the drill afterwards', async () => {
    const { planId } = await planWithBackup({
      name: 'checked',
      drill: {
        trigger: { kind: 'schedule', schedule: { cron: '0 4 * * *', timeZone: 'Europe/Paris' } },
        target: { kind: 'server', serverId: scratchId },
        prefix: 'dk_',
        checks: [
          { sql: 'SELECT COUNT(*) FROM items', compare: '>=', expected: '3000' },
          { name: 'more items than there are', sql: 'SELECT COUNT(*) FROM items WHERE id > 0', compare: '>', expected: '5000' },
        ],
      },
    });
    const { id } = await runDrillNow({ planId });
    const drill = await finished(id);
    expect([drill.status, drill.errorCode]).toEqual(['failed', 'DRILL_CHECK_FAILED']);
    expect(drill.errorMessage).toContain('more items than there are');
    expect(drill.checks.map((c) => [c.ok, c.actual])).toEqual([[true, '3000'], [false, '3000']]);
    // It restored and verified before the checks ran: those figures are kept.
    expect(drill.restoreMs).toBeGreaterThan(0);
    expect(drill.verifyMs).not.toBeNull();
    expect(drill.databases).toEqual([`dk_${db.name}`]);
    expect(await databasesLike('dk_')).toEqual([]);
    const detail = await getPlanDrills({ planId });
    expect(detail!.drills.map((d) => d.id)).toEqual([id]);
    // Its own schedule (04:00 Paris): due two days later, claimed once, however many passes look.
    const { createdAt } = (await getDrillPolicy({ planId }))!;
    const later = new Date(createdAt.getTime() + 2 * 24 * 3600_000);
    const started = await drillPass({ now: later });
    expect(await drillPass({ now: later })).toEqual([]);
    expect(started).toHaveLength(1);
    const scheduled = await finished(started[0]!);
    expect([scheduled.trigger, scheduled.errorCode]).toEqual(['schedule', 'DRILL_CHECK_FAILED']);
  });

  it('a restored chunk that differs from the manifest fails the verify step, naming the chunk and its key range', async () => {
    const { planId } = await planWithBackup({ name: 'differs', drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'dv_' } });
    const { id } = await createDrillRecord({ planId, trigger: 'manual' });
    const policy = (await getDrillPolicy({ planId }))!.policy;
    const outcome = await runDrill({
      drillId: id,
      policy,
      // As a faulty restore would: one row of the copy is not what was dumped.
      hooks: {
        afterRestore: async ({ address, rename }) => {
          const session = await Session.open(address);
          await session.exec(`UPDATE \`${rename[db.name]}\`.items SET pad = 'changed' WHERE id = 1500`);
          await session.close();
        },
      },
    });
    expect(outcome.status).toBe('failed');
    const drill = await getDrill({ id });
    expect(drill.errorCode).toBe('DRILL_VERIFY_FAILED');
    expect(drill.failedChunk).toMatchObject({ database: db.name, table: 'items', file: null });
    expect(drill.failedChunk!.range).toMatch(/id/);
    expect(drill.errorMessage).toMatch(/^1 of 3 chunks differ from the manifest; first: chunk 1 of .*items .*content/);
    expect(drill.restoreMs).toBeGreaterThan(0);
    expect(await databasesLike('dv_')).toEqual([]);
  });

  it('refuses a target that already holds a database of a drill name, and leaves it alone', async () => {
    const { planId } = await planWithBackup({ name: 'taken', drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'dx_' } });
    const conn = await connect(uri);
    const taken = `dx_${db.name}`;
    try {
      await conn.query(`CREATE DATABASE \`${taken}\``);
      await conn.query(`CREATE TABLE \`${taken}\`.keep (id INT PRIMARY KEY)`);
      const { id } = await runDrillNow({ planId });
      const drill = await finished(id);
      expect([drill.status, drill.errorCode]).toEqual(['failed', 'TARGET_EXISTS']);
      expect(drill.databases).toEqual([]);
      const [rows] = await conn.query<import('mysql2').RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [taken]);
      expect(Number(rows[0]!.n)).toBe(1);
    } finally {
      await conn.query(`DROP DATABASE IF EXISTS \`${taken}\``);
      await conn.end();
    }
  });

  it('is cancellable: a cancelled drill drops what it created and does not alert', async () => {
    const { planId } = await planWithBackup({ name: 'cancelled', tables: ['big'], webhook: true, drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'dq_', threads: 1 } });
    hook.received.length = 0;
    // Two starts at once (the scheduler's pass and a click): one drill, the other refused.
    const starts = await Promise.allSettled([startDrill({ planId, trigger: 'manual' }), startDrill({ planId, trigger: 'backups' })]);
    const refused = starts.filter((s) => s.status === 'rejected').map((s) => (s.reason as { code?: string }).code);
    expect(refused).toEqual(['DRILL_RUNNING']);
    const { id } = starts.find((s) => s.status === 'fulfilled')!.value;
    expect(await getPrisma().drill.count({ where: { planId } })).toBe(1);
    await cancelDrill({ id });
    const drill = await finished(id);
    expect([drill.status, drill.errorCode]).toEqual(['cancelled', 'ABORTED']);
    await drillsIdle();
    expect(hook.received).toHaveLength(0);
    expect(await databasesLike('dq_')).toEqual([]);
  });

  it('retention never deletes a backup a drill is reading', async () => {
    const { id: planId } = await savePlan({ input: { name: 'drill in use', serverId, databases: [], tables: [`${db.name}.items`], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const prisma = getPrisma();
    const made = [];
    for (const n of [3, 2, 1]) {
      const outDir = path.join(process.env.PARADUMP_DUMP_ROOT!, `drill-in-use-${n}`);
      await mkdir(outDir, { recursive: true });
      made.push(await prisma.run.create({ data: { kind: 'dump', status: 'succeeded', options: '{}', outDir, planId, serverId, finishedAt: new Date(Date.now() - n * 60_000) } }));
    }
    const [oldest, middle, newest] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    await prisma.drill.create({ data: { planId, trigger: 'manual', sourceRunId: oldest.id, status: 'running' } });
    const report = await applyRetention({ planId, runId: newest.id });
    expect(report!.deleted).toEqual([middle.id]);
    expect(report!.kept.find((k) => k.id === oldest.id)!.reasons).toEqual(['in-use']);
    expect(existsSync(oldest.outDir)).toBe(true);
  });

  it('a drill whose process stopped (no heartbeat for 30 s) is marked interrupted, and its databases on the scratch server dropped; a live one is left alone', async () => {
    const { id: planId } = await savePlan({ input: { name: 'crashed drill', serverId, databases: [], tables: [`${db.name}.items`], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const left = `di_${db.name}`;
    const conn = await connect(uri);
    await conn.query(`CREATE DATABASE \`${left}\``);
    await conn.end();
    const target = JSON.stringify({ kind: 'server', serverId: scratchId, serverName: 'scratch', port: 0, pid: null });
    const row = await getPrisma().drill.create({ data: { planId, trigger: 'manual', status: 'running', target, databases: JSON.stringify([left]), heartbeatAt: new Date(Date.now() - 31_000) } });
    const live = await getPrisma().drill.create({ data: { planId, trigger: 'manual', status: 'running', target, databases: JSON.stringify([`dl_${db.name}`]), heartbeatAt: new Date() } });
    expect(await finishInterruptedDrills()).toEqual([row.id]);
    expect((await getDrill({ id: live.id })).status).toBe('running');
    await getPrisma().drill.delete({ where: { id: live.id } });
    const drill = await getDrill({ id: row.id });
    expect([drill.status, drill.errorCode, drill.leftovers]).toEqual(['interrupted', 'INTERRUPTED', null]);
    expect(await databasesLike('di_')).toEqual([]);
    expect((await listDrillSummaries()).get(planId)).toBeUndefined();
  });
});

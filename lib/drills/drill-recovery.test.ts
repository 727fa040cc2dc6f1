import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/harness/alert-receivers.ts';
import { connect, queryRows, type TestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { isParadumpError } from '../core/errors.ts';
import { AlertEvent } from '../plans/alert-event.ts';
import { getPlanService, runPlanNow, startPlanService } from '../plans/plan-service.ts';
import { savePlan } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillsIdle } from './drill-registry.ts';
import type { DrillPolicyInput } from './drill-schema.ts';
import { cancelDrill, finishInterruptedDrills, runDrillNow, startDrill } from './drill-service.ts';
import { getDrill, recoveryTimeMs, saveDrillPolicy } from './drill-store.ts';
import { listDrillSummaries } from './drill-summaries.ts';

// Restore drills beyond the one process: the roll forward from the binary log (the recovery point),
// and a drill run by another process over the same store (`paradump scheduler`): cancelled from
// here, left alone while it lives, found interrupted once it is killed.

const uri = inject('mariadbUri');
const root = path.resolve(import.meta.dirname, '../..');
let store: PlanStoreFixture;
let db: TestDatabase;
let serverId: string;
let scratchId: string;
let hook: WebhookReceiver;
const children: ChildProcess[] = [];

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'drillrf', tables: [{ name: 'items', rows: 500 }] });
  db = store.db;
  serverId = await store.addServer('rf source');
  scratchId = await store.addServer('rf scratch');
  hook = await startWebhookReceiver();
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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

const finished = (id: string) => until(`drill ${id} to finish`, async () => {
  const d = await getDrill({ id });
  return d.status === 'running' ? null : d;
});

async function databasesLike(prefix: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(uri, `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '${prefix.replace(/_/g, '\\_')}%'`);
  return rows.map((r) => r.name);
}

/** A plan of the whole test database (the roll forward replays whole databases), its drill policy, and one good backup. */
async function planWithBackup({ name, drill, webhook = false }: { name: string; drill: DrillPolicyInput; webhook?: boolean }): Promise<{ planId: string; runId: string }> {
  const { id: planId } = await savePlan({
    input: { name, serverId, databases: [db.name], dump: { threads: 2, chunkRows: 200 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false, webhook: webhook ? { url: hook.url, secret: 'drill-secret-0123456789' } : null } },
  });
  await saveDrillPolicy({ planId, input: drill });
  await runPlanNow({ id: planId });
  await getPlanService()!.scheduler.idle();
  const run = await getPrisma().run.findFirstOrThrow({ where: { planId, status: 'succeeded' }, orderBy: { finishedAt: 'desc' } });
  return { planId, runId: run.id };
}

/** Commits two transactions on the source after the backup; resolves once a whole second has passed since (the drill's stop point is its start, to the second). */
async function changeAfterBackup(ids: number[]): Promise<{ committedAt: number }> {
  const conn = await connect(uri, db.name);
  try {
    await conn.query('START TRANSACTION');
    await conn.query(`INSERT INTO items (id, k, c) VALUES ${ids.map((id) => `(${id}, 7, 'after the backup')`).join(', ')}`);
    await conn.query('COMMIT');
    await conn.query('UPDATE items SET k = 8 WHERE id = ?', [ids[0]]);
  } finally {
    await conn.end();
  }
  const committedAt = Date.now();
  const nextSecond = Math.ceil(committedAt / 1000) * 1000;
  await until('the next second', async () => Date.now() > nextSecond + 20);
  return { committedAt };
}

describe('roll forward', () => {
  it('into a throwaway server: the verified copy is rolled forward to the drill’s start; the checks see it; the recovery point is the last replayed transaction', async () => {
    const { runId } = await planWithBackup({ name: 'rolled', drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'throwaway' }, prefix: 'rf_', rollForward: true, checks: [{ name: 'rows after the backup', sql: 'SELECT COUNT(*) FROM items', compare: '=', expected: '503' }, { name: 'the update', sql: 'SELECT k FROM items WHERE id = 100001', compare: '=', expected: '8' }] } });
    const backup = await getPrisma().run.findUniqueOrThrow({ where: { id: runId } });
    const { committedAt } = await changeAfterBackup([100001, 100002, 100003]);
    const { id } = await runDrillNow({ planId: backup.planId! });
    const drill = await finished(id);
    expect([drill.status, drill.errorCode, drill.errorMessage]).toEqual(['succeeded', null, null]);
    // Verified against the manifest before the replay: every chunk as dumped.
    expect([drill.rows, drill.chunks]).toEqual([500, 3]);
    expect(drill.checks.map((c) => [c.ok, c.actual])).toEqual([[true, '503'], [true, '8']]);
    const rf = drill.rollForward!;
    expect(rf.transactions).toBeGreaterThanOrEqual(2);
    expect(rf.until).toBe(new Date(Math.floor(drill.startedAt.getTime() / 1000) * 1000).toISOString());
    expect(rf.last!.file).toMatch(/\.\d+$/);
    // The recovery point is when the source logged the last replayed transaction (whole seconds).
    const lastAt = Date.parse(rf.last!.at!);
    expect(lastAt).toBeLessThanOrEqual(committedAt);
    expect(lastAt).toBeGreaterThan(committedAt - 2000);
    expect(drill.recoveryPoint!.getTime()).toBe(lastAt);
    expect(drill.recoveryPoint!.getTime()).toBeGreaterThan(backup.startedAt.getTime() - 1000);
    expect(recoveryTimeMs(drill)).toBe(drill.restoreMs! + rf.durationMs);
    expect(() => process.kill(drill.target!.pid!, 0)).toThrow();
    expect((await listDrillSummaries()).get(backup.planId!)).toMatchObject({ health: 'ok', red: false });
  });

  it('into a scratch server (here the source itself): nothing of the drill is left, not even its roll-forward bookkeeping', async () => {
    const before = await databasesLike('paradump_recovery');
    const { planId } = await planWithBackup({ name: 'rolled scratch', drill: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'rs_', rollForward: true, checks: [{ sql: 'SELECT COUNT(*) FROM items WHERE id > 200000', compare: '=', expected: '2' }] } });
    await changeAfterBackup([200001, 200002]);
    const { id } = await runDrillNow({ planId });
    const drill = await finished(id);
    expect([drill.status, drill.errorMessage]).toEqual(['succeeded', null]);
    expect(drill.rollForward!.transactions).toBeGreaterThanOrEqual(1);
    expect(drill.target).toMatchObject({ kind: 'server', newRecoveryDatabase: before.length === 0 });
    expect(drill.leftovers).toBeNull();
    expect(await databasesLike('rs_')).toEqual([]);
    // paradump_recovery only if it was there before, and then without a row of the drill's names.
    expect(await databasesLike('paradump_recovery')).toEqual(before);
    if (before.length) expect(await queryRows(uri, `SELECT replay_key FROM paradump_recovery.pitr_progress WHERE target_databases LIKE '%rs\\_${db.name}%'`)).toEqual([]);
  });

  it('is refused for a plan that backs up only some tables, or without locks; at the policy’s field', async () => {
    const { id: planId } = await savePlan({ input: { name: 'some tables', serverId, databases: [], tables: [`${db.name}.items`], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const refusal = await saveDrillPolicy({ planId, input: { trigger: { kind: 'backups' }, target: { kind: 'throwaway' }, rollForward: true } }).catch((e: unknown) => e);
    expect(isParadumpError(refusal, 'BAD_OPTION') && refusal.details.path).toBe('rollForward');
    const { id: lockless } = await savePlan({ input: { name: 'no locks', serverId, databases: [db.name], dump: { lock: 'none' }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const refused = await saveDrillPolicy({ planId: lockless, input: { trigger: { kind: 'backups' }, target: { kind: 'throwaway' }, rollForward: true } }).catch((e: unknown) => e);
    expect(isParadumpError(refused, 'BAD_OPTION') && refused.message).toMatch(/no locks/);
  });
});

/** `paradump scheduler` over this test's store: the drill service of another process. */
function startScheduler(): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'paradump.mjs'), 'scheduler'], { cwd: root, env: { ...process.env, PARADUMP_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * A plan whose drill (after every backup, into the scratch server) the other process starts on its
 * own, and holds in a check that sleeps; resolves once that check runs on the scratch server.
 */
async function drillHeldElsewhere({ name, prefix, marker }: { name: string; prefix: string; marker: string }): Promise<{ planId: string; drillId: string; child: ChildProcess }> {
  const { planId } = await planWithBackup({ name, webhook: true, drill: { trigger: { kind: 'backups', every: 1 }, target: { kind: 'server', serverId: scratchId }, prefix, checks: [{ name: 'a slow check', sql: `SELECT SLEEP(120) AS ${marker}`, compare: '=', expected: '0' }] } });
  const { child, output } = startScheduler();
  const row = await until(`the other process’s drill (${output()})`, () => getPrisma().drill.findFirst({ where: { planId } }), 120_000);
  await until('its check to be running on the scratch server', async () => (await queryRows(uri, `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%AS ${marker}%' AND INFO NOT LIKE '%PROCESSLIST%'`)).length > 0, 120_000);
  return { planId, drillId: row.id, child };
}

describe('a drill another process runs', () => {
  it('is cancelled from here: that process stops it, drops what it created, and does not alert', async () => {
    const { planId, drillId, child } = await drillHeldElsewhere({ name: 'cancelled elsewhere', prefix: 'rc_', marker: 'drill_cancel_marker' });
    try {
      expect(await databasesLike('rc_')).toEqual([`rc_${db.name}`]);
      // One drill per plan across processes too.
      const refusal = await startDrill({ planId, trigger: 'manual' }).catch((e: unknown) => e);
      expect(isParadumpError(refusal, 'DRILL_RUNNING')).toBe(true);
      hook.received.length = 0;
      await cancelDrill({ id: drillId });
      const drill = await finished(drillId);
      expect([drill.status, drill.errorCode]).toEqual(['cancelled', 'ABORTED']);
      expect(await databasesLike('rc_')).toEqual([]);
      expect(hook.received).toHaveLength(0);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('is left alone while its process lives, and found interrupted once that process is killed: databases dropped, alert sent', async () => {
    const { planId, drillId, child } = await drillHeldElsewhere({ name: 'killed elsewhere', prefix: 'rk_', marker: 'drill_kill_marker' });
    let killed = false;
    try {
      // Another live process's drill: its heartbeat is fresh, so a drill service starting here leaves it be.
      expect(await finishInterruptedDrills({ staleMs: 10_000 })).toEqual([]);
      expect((await getDrill({ id: drillId })).status).toBe('running');
      child.kill('SIGKILL');
      await exited(child);
      killed = true;
      hook.received.length = 0;
      const heartbeat = (await getDrill({ id: drillId })).heartbeatAt!;
      await until('the heartbeat to be 3 s old', async () => Date.now() - heartbeat.getTime() > 3_000);
      expect(await finishInterruptedDrills({ staleMs: 3_000 })).toEqual([drillId]);
      const drill = await getDrill({ id: drillId });
      expect([drill.status, drill.errorCode, drill.leftovers]).toEqual(['interrupted', 'INTERRUPTED', null]);
      expect(await databasesLike('rk_')).toEqual([]);
      const events = hook.received.map((r) => AlertEvent.parse(JSON.parse(r.body)));
      expect(events).toMatchObject([{ type: 'drill-failed', plan: { id: planId }, drill: { id: drillId, error: { code: 'INTERRUPTED' } } }]);
      expect((await listDrillSummaries()).get(planId)).toMatchObject({ health: 'failed', red: true });
      // Claimed once: a second pass (another process's) finds nothing.
      expect(await finishInterruptedDrills({ staleMs: 3_000 })).toEqual([]);
    } finally {
      if (!killed) child.kill('SIGKILL');
      await exited(child);
    }
  });
});

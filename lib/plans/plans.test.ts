import { existsSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { hasValidSignature, SMTP_USER, startSmtpServer, startWebhookReceiver, type WebhookReceiver } from '../../test/harness/alert-receivers.ts';
import { type TestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { isParadumpError } from '../core/errors.ts';
import { getPrisma } from '../store/prisma.ts';
import { openTarget } from '../storage/open-target.ts';
import { startS3Server, S3_KEY } from '../../test/harness/s3-server.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cancelRun, markInterruptedRuns } from '../runs/control-run.ts';
import { getLiveRun } from '../runs/registry.ts';
import { checkStale } from './after-plan-run.ts';
import { applyRetention, finishHalfDeleted } from './apply-retention.ts';
import { readPlanLog } from './plan-log.ts';
import { AlertEvent } from './alert-event.ts';
import { getPlanService, runPlanNow, startPlanService } from './plan-service.ts';
import { getPlanView, savePlan } from './plan-store.ts';
import type { PlanInput } from './plan-schema.ts';

const uri = inject('mariadbUri');
let store: PlanStoreFixture;
let db: TestDatabase;
let serverId: string;

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'plans', tables: [{ name: 'items', rows: 3_000 }, { name: 'big', rows: 60_000 }] });
  db = store.db;
  serverId = await store.addServer('plan source');
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await getPlanService()?.stop();
  await store?.close();
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
      input: { name: 'every 4 s', serverId, databases: [], tables: [`${db.name}.items`], dump: { threads: 2, chunkRows: 1000, compress: 'gzip' }, schedule: { cron: '*/4 * * * * *', timeZone: 'Europe/Paris' }, retention: { keepLast: 2 }, alerts: { stale: false } },
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
    const { id: planId } = await savePlan({ input: { name: 'manual', serverId, databases: [], tables: [`${db.name}.items`], dump: { threads: 1, chunkRows: 1000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    await runPlanNow({ id: planId });
    const second = await runPlanNow({ id: planId }).catch((e: unknown) => e);
    expect(isParadumpError(second, 'SKIPPED_OVERLAP')).toBe(true);
    await getPlanService()!.scheduler.idle();
    const runs = await getPrisma().run.findMany({ where: { planId } });
    expect(runs).toHaveLength(1);
    expect([runs[0]!.status, runs[0]!.errorMessage]).toEqual(['succeeded', null]);
    expect(runs[0]!.scheduledFor).toBeNull();
  });

  it('retention deletes an S3 backup as objects', async () => {
    const s3 = await startS3Server({ buckets: ['plans'] });
    const saved = { endpoint: process.env.AWS_ENDPOINT_URL, key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, { AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey });
    try {
      const { id: planId } = await savePlan({ input: { name: 's3 kept 1', serverId, databases: ['s3_plan_db'], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
      const outDir = `s3://plans/old-${Date.now()}`;
      const target = openTarget(outDir, s3.settings);
      await target.put('data/d/t.00000.sql', 'x');
      await target.put('manifest.json', '{}');
      const run = await getPrisma().run.create({ data: { kind: 'dump', status: 'succeeded', options: '{}', outDir, planId, serverId, finishedAt: new Date(), deleteState: 'deleting' } });
      expect(await finishHalfDeleted({ planId })).toEqual([run.id]);
      expect(await target.list()).toEqual([]);
    } finally {
      for (const [k, v] of [['AWS_ENDPOINT_URL', saved.endpoint], ['AWS_ACCESS_KEY_ID', saved.key], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await s3.stop();
    }
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

  it('never deletes a backup a running restore is reading', async () => {
    const { id: planId } = await savePlan({ input: { name: 'in use', serverId, databases: [], tables: [`${db.name}.items`], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const prisma = getPrisma();
    const root = process.env.PARADUMP_DUMP_ROOT!;
    const made = [];
    for (const n of [3, 2, 1]) {
      const outDir = path.join(root, `in-use-${n}`);
      await mkdir(outDir, { recursive: true });
      await writeFile(path.join(outDir, 'manifest.json'), '{}');
      made.push(await prisma.run.create({ data: { kind: 'dump', status: 'succeeded', options: '{}', outDir, planId, serverId, finishedAt: new Date(Date.now() - n * 60_000) } }));
    }
    const [oldest, middle, newest] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    // A restore of the oldest is going.
    await prisma.run.create({ data: { kind: 'restore', status: 'running', options: '{}', outDir: oldest.outDir, sourceRunId: oldest.id, serverId } });
    const report = await applyRetention({ planId, runId: newest.id });
    expect(report!.deleted).toEqual([middle.id]);
    expect(report!.kept.find((k) => k.id === oldest.id)!.reasons).toEqual(['in-use']);
    expect(existsSync(oldest.outDir)).toBe(true);
    expect(existsSync(middle.outDir)).toBe(false);
  });

  it('a plan run interrupted by a shutdown is resumed by the next scheduler and finishes', async () => {
    const { id: planId } = await savePlan({ input: { name: 'resume me', serverId, databases: [], tables: [`${db.name}.big`], dump: { threads: 1, chunkRows: 100, compress: 'none' }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 3 }, alerts: { stale: false } } });
    const prisma = getPrisma();
    await runPlanNow({ id: planId });
    const run = await until('the plan run to start', () => prisma.run.findFirst({ where: { planId } }));
    await until('some chunks written', async () => (getLiveRun(run.id)?.state.tables.flatMap((t) => t.chunks).filter((c) => c.state === 'done').length ?? 0) > 3);
    // The engine stops with its chunks on disk, as when the process dies; the record says running, as after a crash.
    cancelRun({ id: run.id });
    await getPlanService()!.scheduler.idle();
    await prisma.run.update({ where: { id: run.id }, data: { status: 'running' } });
    await getPlanService()!.stop();
    expect(await markInterruptedRuns()).toContain(run.id);
    await startPlanService({ tickMs: 250 });
    const done = await until('the resumed run to succeed', async () => {
      const r = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      return r.status === 'succeeded' ? r : null;
    });
    expect(done.attempt).toBe(2);
    await getPlanService()!.scheduler.idle();
    const log = await readPlanLog({ planId });
    expect(log.some((l) => l.code === 'INTERRUPTED' && l.message.startsWith(`Resumed backup ${run.id}`))).toBe(true);
    expect(log.some((l) => l.kind === 'retention' && l.runId === run.id && l.message.startsWith('Retention:'))).toBe(true);
  });

  it('a stale plan alerts once, by webhook, until a good backup', async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
      const { id: planId } = await savePlan({ input: { name: 'stale one', serverId, databases: [db.name], dump: {}, schedule: { cron: '0 * * * *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { webhook: { url, secret: 'stale-secret-0123456789' }, stale: true } } });
      const plan = await getPlanView({ id: planId });
      const later = new Date(plan.createdAt.getTime() + 2 * 3600_000);
      expect(await checkStale({ plan, now: new Date(plan.createdAt.getTime() + 30 * 60_000) })).toBe(false);
      expect(await checkStale({ plan, now: later })).toBe(true);
      expect(await checkStale({ plan, now: new Date(later.getTime() + 60_000) })).toBe(false);
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!)).toMatchObject({ type: 'stale', plan: { id: planId, name: 'stale one' } });
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  /** Good backups of the plan made earlier, each a folder with a manifest, `minutesAgo` apart, each taking `durationMs`. */
  async function earlierBackups({ planId, prefix, minutesAgo, durationMs = 1_000 }: { planId: string; prefix: string; minutesAgo: number[]; durationMs?: number }) {
    const root = process.env.PARADUMP_DUMP_ROOT!;
    const made = [];
    for (const n of minutesAgo) {
      const outDir = path.join(root, `${prefix}-${n}`);
      await mkdir(outDir, { recursive: true });
      await writeFile(path.join(outDir, 'manifest.json'), '{}');
      const finishedAt = new Date(Date.now() - n * 60_000);
      made.push(await getPrisma().run.create({ data: { kind: 'dump', status: 'succeeded', options: '{}', outDir, planId, serverId, startedAt: new Date(finishedAt.getTime() - durationMs), finishedAt } }));
    }
    return made;
  }

  it('a backup whose files were removed by hand does not count as good: the one really there is kept as the newest', async () => {
    const { id: planId } = await savePlan({ input: { name: 'files gone', serverId, databases: [db.name], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const made = await earlierBackups({ planId, prefix: 'files-gone', minutesAgo: [3, 2, 1] });
    const [oldest, middle, newest] = [made[0]!, made[1]!, made[2]!];
    rmSync(newest.outDir, { recursive: true, force: true });
    const report = await applyRetention({ planId, runId: newest.id });
    // Counting the vanished one as the newest good backup would have deleted both that are there.
    expect(report!.deleted).toEqual([oldest.id]);
    expect(existsSync(middle.outDir)).toBe(true);
    expect(report!.kept.find((k) => k.id === middle.id)!.reasons).toEqual(['newest', 'last']);
    const log = await readPlanLog({ planId });
    expect(log.some((l) => l.code === 'NO_MANIFEST' && l.message.startsWith(`Backup ${newest.id} is recorded as good but`))).toBe(true);
    expect((await getPrisma().run.findUniqueOrThrow({ where: { id: newest.id } })).deleteState).toBeNull();
  });

  it('a restore that starts as retention marks a backup keeps it: the mark is undone and nothing is deleted', async () => {
    const { id: planId } = await savePlan({ input: { name: 'late reader', serverId, databases: [db.name], dump: {}, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false } } });
    const made = await earlierBackups({ planId, prefix: 'late-reader', minutesAgo: [2, 1] });
    const [old, newest] = [made[0]!, made[1]!];
    const prisma = getPrisma();
    // The restore's record appears right after the candidates were listed and the backup marked.
    const update = prisma.run.update.bind(prisma.run);
    const spy = vi.spyOn(prisma.run, 'update').mockImplementation(((args: { where: { id?: string }; data: { deleteState?: unknown } }) => {
      const result = update(args as never);
      if (args.where.id === old.id && args.data.deleteState === 'deleting') {
        return result.then(async (r) => {
          await prisma.run.create({ data: { kind: 'restore', status: 'running', options: '{}', outDir: old.outDir, sourceRunId: old.id, serverId } });
          return r;
        });
      }
      return result;
    }) as unknown as typeof prisma.run.update);
    try {
      const report = await applyRetention({ planId, runId: newest.id });
      expect(report!.deleted).toEqual([]);
      expect(report!.kept.find((k) => k.id === old.id)!.reasons).toEqual(['in-use']);
    } finally {
      spy.mockRestore();
    }
    expect(existsSync(old.outDir)).toBe(true);
    expect((await prisma.run.findUniqueOrThrow({ where: { id: old.id } })).deleteState).toBeNull();
    expect((await readPlanLog({ planId })).some((l) => l.message.startsWith(`Kept backup ${old.id}: a restore or drill began reading it`))).toBe(true);
  });

  type Receivers = { hook: WebhookReceiver; mail: Awaited<ReturnType<typeof startSmtpServer>> };
  interface AlertCase {
    what: string;
    name: string;
    secret: string;
    /** The plan, without its name and schedule; the channels point at the loopback receivers. */
    plan: (r: Receivers, secret: string) => Omit<PlanInput, 'name' | 'schedule'>;
    /** Earlier good backups (their finish times, and how long each took). */
    earlier: { prefix: string; minutesAgo: number[]; durationMs?: number };
    status: 'failed' | 'succeeded';
    check: (c: Receivers & { planId: string; run: Awaited<ReturnType<ReturnType<typeof getPrisma>['run']['findFirstOrThrow']>>; earlier: { outDir: string }[] }) => Promise<void>;
  }

  const alertCases: AlertCase[] = [
    {
      what: 'a failed run sends a signed failure alert with its error; SMTP refusing is logged; nothing is deleted',
      name: 'alerting broken',
      secret: 'failure-secret-0123456789',
      plan: ({ hook, mail }, secret) => ({ serverId, databases: ['no_such_db_paradump_alerts'], dump: {}, retention: { keepLast: 1 }, alerts: { stale: false, webhook: { url: hook.url, secret }, email: { to: ['nobody@example.com'], smtp: { host: '127.0.0.1', port: mail.port, from: 'paradump@example.com' } } } }),
      earlier: { prefix: 'alerting-broken', minutesAgo: [2, 1] },
      status: 'failed',
      check: async ({ hook, mail, planId, run: failed, earlier: olds }) => {
        expect(failed.errorCode).not.toBeNull();
        expect(hook.received).toHaveLength(1);
        const request = hook.received[0]!;
        expect(request.headers['x-paradump-event']).toBe('failure');
        const event = AlertEvent.parse(JSON.parse(request.body));
        expect(event).toMatchObject({ version: 1, type: 'failure', plan: { id: planId, name: 'alerting broken', server: 'plan source' }, run: { id: failed.id, status: 'failed', error: { code: failed.errorCode } } });
        expect(event.summary).toBe(`Backup plan “alerting broken” failed: ${failed.errorCode}: ${failed.errorMessage}`);
        // The refused recipient: no mail, and the server's own answer in the plan log.
        expect(mail.mails).toHaveLength(0);
        const log = await readPlanLog({ planId });
        expect(log.find((l) => l.code === 'SMTP_FAILED')?.message).toMatch(/^Email failure alert to nobody@example.com: .*550/);
        expect(log.some((l) => l.kind === 'alert' && l.message.startsWith('Webhook failure alert, attempt 1: HTTP 200'))).toBe(true);
        expect(log.some((l) => l.kind === 'retention' && /nothing was deleted/.test(l.message))).toBe(true);
        for (const old of olds) expect(existsSync(old.outDir)).toBe(true);
      },
    },
    {
      what: 'a good run alerts on success when asked, and as slow past the factor × its usual time, by email and webhook',
      name: 'alerting good',
      secret: 'success-secret-0123456789',
      plan: ({ hook, mail }, secret) => ({ serverId, databases: [], tables: [`${db.name}.items`], dump: { threads: 1 }, retention: { keepLast: 10 }, alerts: { stale: false, onSuccess: true, slowFactor: 2, webhook: { url: hook.url, secret }, email: { to: ['ops@example.com'], smtp: { host: '127.0.0.1', port: mail.port, user: SMTP_USER.username, password: SMTP_USER.password, from: 'paradump@example.com' } } } }),
      // Its usual time: three earlier good backups of 5 ms each; the real one takes far longer.
      earlier: { prefix: 'alerting-good', minutesAgo: [3, 2, 1], durationMs: 5 },
      status: 'succeeded',
      check: async ({ hook, mail, run }) => {
        const events = hook.received.map((r) => AlertEvent.parse(JSON.parse(r.body)));
        expect(events.map((e) => e.type)).toEqual(['success', 'slow']);
        expect(events[0]!.run).toMatchObject({ id: run.id, status: 'succeeded', bytes: Number(run.bytes), error: null });
        expect(events[1]!.summary).toMatch(/^Backup plan “alerting good” was slow: \d+ s, more than 2× its usual time$/);
        expect(mail.mails.map((m) => m.user)).toEqual(['alerts', 'alerts']);
        // The subject holds “ ” and so is MIME-encoded; the summary is in the body too.
        expect(mail.mails[0]!.data).toMatch(/^Subject: /m);
        expect(mail.mails[0]!.data).toContain(run.id);
        expect(mail.mails.map((m) => /succeeded|was slow/.exec(m.data)?.[0])).toEqual(['succeeded', 'was slow']);
      },
    },
  ];

  for (const { what, name, secret, plan, earlier: older, status, check } of alertCases) it(what, async () => {
    const receivers: Receivers = { hook: await startWebhookReceiver(), mail: await startSmtpServer() };
    try {
      const { id: planId } = await savePlan({ input: { name, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, ...plan(receivers, secret) } });
      const earlier = await earlierBackups({ planId, ...older });
      await runPlanNow({ id: planId });
      await getPlanService()!.scheduler.idle();
      const run = await getPrisma().run.findFirstOrThrow({ where: { planId, id: { notIn: earlier.map((e) => e.id) } } });
      expect(run.status).toBe(status);
      // Every request is signed with the plan's secret.
      expect(receivers.hook.received.length).toBeGreaterThan(0);
      expect(receivers.hook.received.every((r) => hasValidSignature(r, secret))).toBe(true);
      await check({ ...receivers, planId, run, earlier });
    } finally {
      await receivers.hook.close();
      await receivers.mail.close();
    }
  });
});

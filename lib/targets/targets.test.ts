import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/harness/alert-receivers.ts';
import { checksumTables, createTestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { startS3Server, S3_KEY, type S3Server } from '../../test/harness/s3-server.ts';
import { restore } from '../restore/restore.ts';
import { verify } from '../restore/verify.ts';
import { AlertEvent } from '../plans/alert-event.ts';
import { readPlanLog } from '../plans/plan-log.ts';
import { getPlanService, runPlanNow, startPlanService } from '../plans/plan-service.ts';
import { getPlanView, savePlan } from '../plans/plan-store.ts';
import type { PlanInput } from '../plans/plan-schema.ts';
import { getPrisma } from '../store/prisma.ts';
import { openTarget } from '../storage/open-target.ts';
import type { StorageTarget } from '../storage/target.ts';
import { copyBackup } from './copy-backup.ts';
import { copyRunToTargets } from './copy-run.ts';
import { deleteTarget, listRunCopies, listTargets, saveTarget } from './target-store.ts';

const uri = inject('mariadbUri');
let store: PlanStoreFixture;
let serverId: string;
let s3: S3Server;
let home: string;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'targets', tables: [{ name: 'items', rows: 5_000 }] });
  serverId = await store.addServer('targets source');
  s3 = await startS3Server({ buckets: ['copies'] });
  home = await mkdtemp(path.join(os.tmpdir(), 'paradump-home-'));
  process.env.PARADUMP_HOME = home;
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await getPlanService()?.stop();
  for (const f of cleanup.reverse()) await f();
  await s3?.stop();
  await store?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

const s3Fields = (server: S3Server, prefix: string) => ({ kind: 's3' as const, location: `s3://copies/${prefix}`, endpoint: server.endpoint, region: 'us-east-1', accessKeyId: S3_KEY.accessKeyId, secretAccessKey: S3_KEY.secretAccessKey });
const localDir = (name: string) => path.join(process.env.PARADUMP_DUMP_ROOT!, 'copies', name);

function planInput(name: string, copyTargetIds: string[], extra: Partial<PlanInput> = {}): PlanInput {
  return { name, serverId, databases: [store.db.name], dump: { threads: 2, chunkRows: 1_000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 1 }, alerts: { stale: false }, copyTargetIds, ...extra };
}

/** Runs the plan now and waits for the run and everything after it (copies, retention, alerts). */
async function runOnce(planId: string): Promise<string> {
  const before = new Set((await getPrisma().run.findMany({ where: { planId }, select: { id: true } })).map((r) => r.id));
  await runPlanNow({ id: planId });
  await getPlanService()!.scheduler.idle();
  const run = (await getPrisma().run.findMany({ where: { planId }, orderBy: { startedAt: 'desc' } })).find((r) => !before.has(r.id))!;
  expect([run.status, run.errorMessage]).toEqual(['succeeded', null]);
  return run.id;
}

/** Every object of a stored backup and its sha256, read back. */
async function contents(target: StorageTarget): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await target.list()) {
    const hash = createHash('sha256');
    for await (const piece of target.openRead(f.file)) hash.update(piece as Buffer);
    out[f.file] = hash.digest('hex');
  }
  return out;
}

describe('saved storage targets', () => {
  it('probes on save: wrong credentials, a missing bucket, a directory outside the roots are refused with their codes; the secret is sealed and never shown', async () => {
    await expect(saveTarget({ input: { name: 'bad key', ...s3Fields(s3, 'x'), secretAccessKey: 'wrong' } })).rejects.toMatchObject({ code: 'STORAGE_AUTH_FAILED' });
    await expect(saveTarget({ input: { name: 'no bucket', ...s3Fields(s3, 'x'), location: 's3://no-such-bucket/x' } })).rejects.toMatchObject({ code: 'STORAGE_NO_BUCKET' });
    await expect(saveTarget({ input: { name: 'outside', kind: 'local', location: '/etc/paradump-copies' } })).rejects.toMatchObject({ code: 'BAD_OPTION', details: { path: 'location' } });
    await expect(saveTarget({ input: { name: 'mixed', kind: 'local', location: 's3://copies/x' } })).rejects.toMatchObject({ code: 'BAD_OPTION', details: { path: 'location' } });
    expect(await listTargets()).toEqual([]);

    const saved = await saveTarget({ input: { name: 'probe ok', ...s3Fields(s3, 'probe-ok') } });
    expect(saved).toMatchObject({ name: 'probe ok', kind: 's3', accessKeyId: S3_KEY.accessKeyId, hasSecret: true });
    // (s3rver's secret equals its key id, so what is checked is that no field carries it.)
    expect(Object.keys(saved)).not.toContain('secretAccessKey');
    expect(Object.keys((await listTargets())[0]!)).not.toContain('secretAccessKeySealed');
    const row = await getPrisma().storageTarget.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row.secretAccessKeySealed).toMatch(/^v1:/);
    expect(row.secretAccessKeySealed).not.toContain(S3_KEY.secretAccessKey);
    // The probe left nothing behind.
    expect(await openTarget('s3://copies/probe-ok', s3.settings).list()).toEqual([]);
    await expect(saveTarget({ input: { name: 'probe ok', kind: 'local', location: localDir('x') } })).rejects.toMatchObject({ code: 'TARGET_NAME_TAKEN' });
    await deleteTarget({ id: saved.id });
  });
});

describe('copies of a plan’s backups', () => {
  let planId: string;
  let local: { id: string };
  let remote: { id: string };
  let firstRun: string;

  it('a plan with a local and an S3 copy target: both copies verified, the S3 copy restores to data equal to the source', async () => {
    local = await saveTarget({ input: { name: 'second disk', kind: 'local', location: localDir('disk2') } });
    remote = await saveTarget({ input: { name: 'bucket', ...s3Fields(s3, 'nightly') } });
    ({ id: planId } = await savePlan({ input: planInput('copied twice', [local.id, remote.id]) }));
    expect((await getPlanView({ id: planId })).copyTargetIds).toEqual([local.id, remote.id]);
    firstRun = await runOnce(planId);
    const run = await getPrisma().run.findUniqueOrThrow({ where: { id: firstRun } });
    expect(run.copyState).toBe('copied');
    const copies = await listRunCopies({ runId: firstRun });
    expect(copies.map((c) => [c.targetName, c.status, c.errorCode])).toEqual(expect.arrayContaining([['second disk', 'verified', null], ['bucket', 'verified', null]]));
    const folder = path.basename(run.outDir);
    const s3Copy = copies.find((c) => c.targetName === 'bucket')!;
    const localCopy = copies.find((c) => c.targetName === 'second disk')!;
    expect(s3Copy.location).toBe(`s3://copies/nightly/${folder}`);
    expect(localCopy.location).toBe(path.join(localDir('disk2'), folder));
    // Byte copies: the same files with the same hashes as the backup itself.
    const source = await contents(openTarget(run.outDir));
    const inBucket = await contents(openTarget(s3Copy.location, s3.settings));
    expect(inBucket).toEqual(Object.fromEntries(Object.entries(source).filter(([f]) => !f.startsWith('.'))));
    expect(await contents(openTarget(localCopy.location))).toEqual(inBucket);
    expect((await verify({ from: localCopy.location })).ok).toBe(true);

    const restored = await createTestDatabase(uri, 'targets_restored');
    cleanup.push(restored.drop);
    await restore({ from: s3Copy.location, storage: s3.settings, target: uri, rename: { [store.db.name]: restored.name } });
    expect(await checksumTables(uri, restored.name)).toEqual(await checksumTables(uri, store.db.name));
    expect((await readPlanLog({ planId })).filter((l) => l.kind === 'copy' && l.level === 'info')).toHaveLength(2);
  });

  it('a target prefix already holding that backup is refused, and nothing there is overwritten', async () => {
    const copies = await listRunCopies({ runId: firstRun });
    const before = await Promise.all(copies.map(async (c) => contents(c.targetName === 'bucket' ? openTarget(c.location, s3.settings) : openTarget(c.location))));
    const outcomes = await copyRunToTargets({ runId: firstRun, targetIds: [local.id, remote.id] });
    expect(outcomes.map((o) => [o.ok, o.error?.code])).toEqual([
      [false, 'OUTPUT_NOT_EMPTY'],
      [false, 'OUTPUT_NOT_EMPTY'],
    ]);
    const after = await Promise.all(copies.map(async (c) => contents(c.targetName === 'bucket' ? openTarget(c.location, s3.settings) : openTarget(c.location))));
    expect(after).toEqual(before);
    const refused = await getPrisma().runCopy.findMany({ where: { runId: firstRun, status: 'failed' } });
    expect(refused.map((r) => r.written)).toEqual([false, false]);
    expect((await getPrisma().run.findUniqueOrThrow({ where: { id: firstRun } })).copyState).toBe('partial');
  });

  it('retention deleting a backup deletes its copies, through each target', async () => {
    const copies = (await listRunCopies({ runId: firstRun })).filter((c) => c.status === 'verified');
    const second = await runOnce(planId);
    const first = await getPrisma().run.findUniqueOrThrow({ where: { id: firstRun } });
    expect(first.deleteState).toBe('deleted');
    expect(await openTarget(copies.find((c) => c.targetName === 'bucket')!.location, s3.settings).list()).toEqual([]);
    expect(existsSync(copies.find((c) => c.targetName === 'second disk')!.location)).toBe(false);
    expect((await getPrisma().runCopy.findMany({ where: { runId: firstRun, status: 'verified' } })).every((c) => c.deletedAt !== null)).toBe(true);
    // The kept backup's copies are whole.
    expect((await listRunCopies({ runId: second })).map((c) => c.status)).toEqual(['verified', 'verified']);
  });

  it('a target a plan copies to cannot be deleted', async () => {
    await expect(deleteTarget({ id: remote.id })).rejects.toMatchObject({ code: 'TARGET_IN_USE', details: { plans: [{ id: planId, name: 'copied twice' }] } });
  });
});

describe('one copy target failing', () => {
  let hook: WebhookReceiver;
  let gone: S3Server;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    gone = await startS3Server({ buckets: ['copies'] });
  });
  afterAll(async () => {
    await hook?.close();
    await gone?.stop();
  });

  it('the run is partially failed, the copy-failed alert names the target and the code, the other copy is verified', async () => {
    const local = await saveTarget({ input: { name: 'disk three', kind: 'local', location: localDir('disk3') } });
    const away = await saveTarget({ input: { name: 'gone bucket', ...s3Fields(gone, 'away') } });
    await gone.kill();
    const { id: planId } = await savePlan({ input: planInput('one fails', [away.id, local.id], { alerts: { stale: false, webhook: { url: hook.url, secret: 'a webhook secret of 16+' } } }) });
    const runId = await runOnce(planId);
    const run = await getPrisma().run.findUniqueOrThrow({ where: { id: runId } });
    expect([run.status, run.copyState]).toEqual(['succeeded', 'partial']);
    const copies = await listRunCopies({ runId });
    const failed = copies.find((c) => c.targetName === 'gone bucket')!;
    expect([failed.status, failed.errorCode]).toEqual(['failed', 'STORAGE_UNREACHABLE']);
    const kept = copies.find((c) => c.targetName === 'disk three')!;
    expect(kept.status).toBe('verified');
    expect((await verify({ from: kept.location })).ok).toBe(true);
    const events = hook.received.map((r) => AlertEvent.parse(JSON.parse(r.body)));
    const alert = events.find((e) => e.type === 'copy-failed');
    expect(alert).toMatchObject({ run: { id: runId }, copy: { target: 'gone bucket', location: failed.location, error: { code: 'STORAGE_UNREACHABLE' } } });
    expect(alert!.summary).toContain('gone bucket');
    expect(alert!.summary).toContain('STORAGE_UNREACHABLE');
    expect(events.some((e) => e.type === 'failure')).toBe(false);

    // A damaged backup is not copied as good: the file differing from its manifest is refused, and
    // the copy, unfinished, has no manifest.
    const manifest = JSON.parse((await readFile(path.join(kept.location, 'manifest.json'))).toString()) as { tables: { chunks: { file: string }[] }[] };
    const victim = path.join(kept.location, manifest.tables[0]!.chunks[0]!.file);
    const bytes = await readFile(victim);
    const at = bytes.length >> 1;
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(victim, bytes);
    const into = openTarget(localDir(`damaged-${Date.now()}`));
    await expect(copyBackup({ from: openTarget(kept.location), to: into })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', details: { file: manifest.tables[0]!.chunks[0]!.file } });
    expect(await into.holdsBackup()).toBe(false);
  });
});

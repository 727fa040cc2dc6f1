import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checksumTables, connect, quoteIdent } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { startS3Server, S3_KEY, type S3Server } from '../../test/harness/s3-server.ts';
import { readCopyManifest } from '../runs/copy-source.ts';
import { loadRunState } from '../runs/load-run-state.ts';
import { openRunStream } from '../runs/open-run-stream.ts';
import { getLiveRun } from '../runs/registry.ts';
import { startDump } from '../runs/start-dump.ts';
import { startRestore } from '../runs/start-restore.ts';
import { getPrisma } from '../store/prisma.ts';
import { copyRunToTargets } from './copy-run.ts';
import { saveTarget } from './target-store.ts';

const uri = inject('mariadbUri');
let store: PlanStoreFixture;
let serverId: string;
let s3: S3Server;
let home: string;
let runId: string;
let copyId: string;
const targets: string[] = [];

async function waitForEnd(id: string): Promise<void> {
  const live = getLiveRun(id);
  await new Response(await openRunStream({ id, lastEventId: live?.eventId ?? null })).text();
}

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'rcopy', tables: [{ name: 'items', rows: 4_000 }] });
  serverId = await store.addServer('copy source');
  s3 = await startS3Server({ buckets: ['copies'] });
  home = await mkdtemp(path.join(os.tmpdir(), 'paradump-home-'));
  process.env.PARADUMP_HOME = home;
  const outDir = path.join(process.env.PARADUMP_DUMP_ROOT!, 'nightly');
  ({ id: runId } = await startDump({ serverId, databases: [store.db.name], tables: [], threads: 2, chunkRows: 500, lock: 'snapshot', compress: 'zstd', outDir }));
  await waitForEnd(runId);
  const bucket = await saveTarget({ input: { name: 'offsite bucket', kind: 's3', location: 's3://copies/offsite', endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: S3_KEY.accessKeyId, secretAccessKey: S3_KEY.secretAccessKey } });
  const [outcome] = await copyRunToTargets({ runId, targetIds: [bucket.id] });
  expect([outcome?.ok, outcome?.error]).toEqual([true, null]);
  copyId = outcome!.copyId;
  // The backup's own folder gone: whatever restores now can only have read the copy.
  await rm(outDir, { recursive: true, force: true });
});

afterAll(async () => {
  const c = await connect(uri);
  try {
    for (const name of targets) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  } finally {
    await c.end();
  }
  await s3?.stop();
  await store?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('restore from a verified copy', () => {
  const ask = (into: string, sourceCopyId?: string) => startRestore({ sourceRunId: runId, targetServerId: serverId, rename: { [store.db.name]: into }, tables: [], threads: 2, verify: true, dropExisting: false, pitr: null, sourceCopyId });

  it('reads the S3 copy through the saved target: loaded and verified, equal to the source; the run stores the copy, not the secret', async () => {
    // The restore page, with the backup's own folder gone, reads the copy's manifest instead.
    const { manifest, serverId: from } = await readCopyManifest({ runId, copyId });
    expect([from, manifest.tables.map((t) => t.table)]).toEqual([serverId, ['items']]);
    const into = `${store.db.name}_fromcopy`;
    targets.push(into);
    const { id } = await ask(into, copyId);
    await waitForEnd(id);
    const state = await loadRunState({ id });
    expect([state.status, state.error]).toEqual(['succeeded', null]);
    expect(state.verification.length).toBeGreaterThan(0);
    expect(state.verification.every((v) => v.ok === v.chunks && v.mismatched.length === 0)).toBe(true);
    expect(await checksumTables(uri, into)).toEqual(await checksumTables(uri, store.db.name));
    const row = await getPrisma().run.findUniqueOrThrow({ where: { id } });
    expect(JSON.parse(row.options)).toMatchObject({ sourceCopyId: copyId });
    expect(row.outDir).toMatch(/^s3:\/\/copies\/offsite\//);
    expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(S3_KEY.secretAccessKey);
  });

  it('refuses a copy that is not a verified copy of this backup at its field, and the backup itself when it is gone, before any run exists', async () => {
    const into = `${store.db.name}_refused`;
    const runs = await getPrisma().run.count();
    await expect(ask(into, 'no-such-copy')).rejects.toMatchObject({ code: 'BAD_OPTION', details: { path: 'sourceCopyId' } });
    await getPrisma().runCopy.update({ where: { id: copyId }, data: { status: 'failed' } });
    try {
      await expect(ask(into, copyId)).rejects.toMatchObject({ code: 'BAD_OPTION', details: { path: 'sourceCopyId' } });
    } finally {
      await getPrisma().runCopy.update({ where: { id: copyId }, data: { status: 'verified' } });
    }
    await expect(ask(into)).rejects.toMatchObject({ code: 'NO_MANIFEST' });
    expect(await getPrisma().run.count()).toBe(runs);
  });
});

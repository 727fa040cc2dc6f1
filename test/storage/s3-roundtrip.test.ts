import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isParadumpError } from '../../lib/core/errors.ts';
import { dump } from '../../lib/engine/dump.ts';
import { restore } from '../../lib/restore/restore.ts';
import { verify } from '../../lib/restore/verify.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { openTarget } from '../../lib/storage/open-target.ts';
import { checksumTables, createTestDatabase } from '../harness/db.ts';
import { startS3Server, S3_KEY, type S3Server } from '../harness/s3-server.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { runCli } from '../restore/run-cli.ts';

const uri = inject('mariadbUri');
let s3: S3Server;
let scratch: ThrowawayServer;
let home: string;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['dumps'] });
  scratch = await startThrowawayServer({ serverId: 7 });
  home = await mkdtemp(path.join(os.tmpdir(), 'paradump-home-'));
  process.env.PARADUMP_HOME = home;
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  await scratch?.stop();
  await s3?.stop();
  await rm(home, { recursive: true, force: true });
});

const env = () => ({ AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey, AWS_REGION: 'us-east-1', PARADUMP_HOME: home });

/** Polls (never sleeps blind) until `check` holds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The file s3rver keeps an object's bytes in. */
async function objectFile(root: string, key: string): Promise<string> {
  const all = (await readdir(root, { recursive: true })) as string[];
  const hit = all.find((f) => f.startsWith(key) && f.endsWith('._S3rver_object'));
  if (!hit) throw new Error(`no stored file for ${key}`);
  return path.join(root, hit);
}

describe('S3 round trip', () => {
  it('a CLI dump SIGKILLed mid-upload resumes, restores from S3 into another server equal to the source, verifies; one flipped byte is named', async () => {
    const src = await createTestDatabase(uri, 's3_rt');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 'big', rows: 120_000 });
    await createChunkTable({ uri, db: src.name, table: 'words', rows: 20_000, key: 'varchar' });
    const prefix = `rt-${Date.now()}`;
    const location = `s3://dumps/${prefix}`;
    const target = openTarget(location, s3.settings);
    // ~6 MB chunk files: each is a multipart upload of two 5 MiB parts.
    const common = ['--source', uri, '--threads', '2', '--chunk-rows', '30000', '--compress', 'none', '--s3-part-size', '5', '--quiet'];
    const uploads = path.join(s3.directory, 'dumps', '._S3rver_uploads');
    const inProgress = async () => (await readdir(uploads).catch(() => [] as string[])).length;

    const child = spawn(process.execPath, ['bin/paradump.mjs', 'dump', ...common, '--databases', src.name, '--out', location], { stdio: 'ignore', env: { ...process.env, ...env(), PARADUMP_FROM_SOURCE: '1' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Killed while a multipart upload is under way (after at least one object is stored).
    await until(async () => child.exitCode !== null || ((await target.list('data')).length >= 1 && (await inProgress()) > 0), 'an upload in progress');
    expect(child.exitCode).toBeNull();
    expect(child.kill('SIGKILL')).toBe(true);
    await exited;
    // Usually one is left (the upload seen may also have completed before the kill landed).
    const left = await inProgress();
    expect(await target.holdsBackup()).toBe(false);
    const before = (await target.list('data')).length;

    const resumed = await runCli(['dump', ...common, '--resume', location], env());
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(await target.holdsBackup()).toBe(true);
    expect(await inProgress(), `the kill left ${left} uploads; the resume must abort them`).toBe(0);
    const manifest = JSON.parse((await target.readAll('manifest.json'))!.toString()) as { resumedAt: string[]; totals: { chunks: number; rows: number } };
    expect(manifest.resumedAt).toHaveLength(1);
    expect(manifest.totals.rows).toBe(140_000);
    const stored = (await target.list('data')).map((f) => f.file);
    expect(stored.length).toBe(manifest.totals.chunks);
    expect(stored.length).toBeGreaterThanOrEqual(before);

    const restored = await runCli(['restore', '--from', location, '--target', scratch.uri, '--rename', `${src.name}:copy`, '--quiet'], env());
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(await checksumTables(scratch.uri, 'copy')).toEqual(await checksumTables(uri, src.name));
    const ok = await verify({ from: location, storage: s3.settings, target: scratch.uri, rename: { [src.name]: 'copy' } });
    expect(ok.ok).toBe(true);

    // One byte of one object flipped: the files check names its chunk, and a restore refuses it.
    const victim = stored.find((f) => f.includes('/big.'))!;
    const file = await objectFile(path.join(s3.directory, 'dumps'), `${prefix}/${victim}`);
    const bytes = await readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
    const bad = await verify({ from: location, storage: s3.settings });
    expect(bad.ok).toBe(false);
    const named = bad.tables.flatMap((t) => t.mismatched.map((m) => ({ table: t.table, index: m.index, reason: m.reason })));
    expect(named).toEqual([{ table: 'big', index: Number(/\.(\d+)\.sql$/.exec(victim)![1]), reason: 'file' }]);
    const refused = await restore({ from: location, storage: s3.settings, target: scratch.uri, rename: { [src.name]: 'copy2' } }).catch((e: unknown) => e);
    expect(isParadumpError(refused)).toBe(true);
    expect((refused as Error).message).toContain(victim);
  });

  it('the S3 server stopped mid-upload: the dump fails with a STORAGE_* code naming the object, reports no success, and resumes once it is back', async () => {
    const src = await createTestDatabase(uri, 's3_gone');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 't', rows: 60_000 });
    const location = `s3://dumps/gone-${Date.now()}`;
    const target = openTarget(location, s3.settings);
    let finished = false;
    let stopping: Promise<void> | null = null;
    const error = await dump(
      { source: uri, outDir: location, storage: s3.settings, databases: [src.name], chunkRows: 3000, threads: 2, compress: 'none' },
      {
        onEvent: (e) => {
          if (e.type === 'run-finished') finished = true;
          if (e.type === 'chunk-finished' && !stopping) stopping = s3.kill();
        },
      },
    ).catch((e: unknown) => e);
    await stopping;
    expect(finished).toBe(false);
    expect(isParadumpError(error)).toBe(true);
    expect((error as { code: string }).code).toMatch(/^STORAGE_/);
    expect((error as { details: { file?: string } }).details.file).toMatch(/^(data|schema)\//);

    await s3.restart();
    const manifest = await dump({ source: uri, outDir: location, storage: s3.settings, resume: true });
    expect(manifest.totals.rows).toBe(60_000);
    expect(await target.holdsBackup()).toBe(true);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParadumpError } from '../core/errors.ts';
import { startS3Server, type S3Server } from '../../test/harness/s3-server.ts';
import { openTarget } from './open-target.ts';
import { S3Target } from './s3-target.ts';
import { resolveS3Settings } from './settings.ts';
import { parseLocation } from './location.ts';

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['unit'] });
});
afterAll(async () => {
  await s3?.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let n = 0;
const fresh = () => openTarget(`s3://unit/t${++n}-${Date.now()}`, s3.settings);

async function writeFile(target: ReturnType<typeof openTarget>, file: string, body: Buffer): Promise<void> {
  const w = target.openWrite(file);
  await pipeline(
    (async function* () {
      for (let at = 0; at < body.length; at += 1 << 20) yield body.subarray(at, at + (1 << 20));
    })(),
    w.stream,
  );
  await w.commit({ sha256: sha(body), bytes: body.length });
}

async function readAllStream(target: ReturnType<typeof openTarget>, file: string, range?: { start: number; end: number }): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of target.openRead(file, range)) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

describe('S3 target', () => {
  it('writes a small and a multipart file with their sha256, reads them back whole and ranged, lists and deletes', async () => {
    const t = fresh();
    await t.prepare();
    const small = Buffer.from('hello');
    const big = Buffer.alloc(11 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    await writeFile(t, 'data/a/small.sql', small);
    await writeFile(t, 'data/a/big.sql', big);
    expect(await t.stat('data/a/big.sql')).toEqual({ file: 'data/a/big.sql', bytes: big.length, sha256: sha(big) });
    expect(await t.matches('data/a/small.sql', 5, sha(small))).toBe(true);
    expect(await t.matches('data/a/small.sql', 5, sha(big))).toBe(false);
    expect(sha(await readAllStream(t, 'data/a/big.sql'))).toBe(sha(big));
    expect(await readAllStream(t, 'data/a/big.sql', { start: 10, end: 19 })).toEqual(big.subarray(10, 20));
    await t.put('manifest.json', '{}');
    expect((await t.readAll('manifest.json'))!.toString()).toBe('{}');
    expect(await t.readAll('nope.json')).toBeNull();
    expect((await t.list('data')).map((f) => f.file).sort()).toEqual(['data/a/big.sql', 'data/a/small.sql']);
    expect(await t.holdsBackup()).toBe(true);
    await expect(t.prepare()).rejects.toMatchObject({ code: 'OUTPUT_NOT_EMPTY', details: { reason: 'HOLDS_BACKUP' } });
    expect(await t.deleteAll()).toBe(3);
    expect(await t.list()).toEqual([]);
  });

  it('aborts an unfinished multipart upload and keeps nothing of it', async () => {
    const t = fresh();
    await t.prepare();
    const w = t.openWrite('data/x/part.sql');
    const piece = Buffer.alloc(9 * 1024 * 1024, 1);
    await new Promise<void>((resolve, reject) => w.stream.write(piece, (e) => (e ? reject(e) : resolve())));
    // Another process (a resume) finds the upload this writer left unfinished and aborts it.
    const other = new S3Target('unit', t.location.slice('s3://unit/'.length), resolveS3Settings(s3.settings));
    let aborted = 0;
    for (let i = 0; i < 100 && aborted === 0; i++) {
      aborted = await other.abortUnfinished();
      if (aborted === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(aborted).toBe(1);
    expect(await other.abortUnfinished()).toBe(0);
    expect(await other.list()).toEqual([]);
    w.stream.on('error', () => undefined);
    w.stream.destroy(new Error('left unfinished'));
  });

  it('gives one coded error for wrong credentials, a missing bucket, an unreachable endpoint', async () => {
    const location = `s3://unit/c${Date.now()}`;
    await expect(openTarget(location, { ...s3.settings, secretAccessKey: 'wrong' }).prepare()).rejects.toMatchObject({ code: 'STORAGE_AUTH_FAILED' });
    await expect(openTarget(location, { ...s3.settings, accessKeyId: 'NOBODY' }).prepare()).rejects.toMatchObject({ code: 'STORAGE_AUTH_FAILED' });
    await expect(openTarget('s3://no-such-bucket/x', s3.settings).prepare()).rejects.toMatchObject({ code: 'STORAGE_NO_BUCKET' });
    const closed = await startS3Server({ buckets: ['unit'] });
    await closed.stop();
    const error = await openTarget(location, closed.settings).prepare().catch((e: unknown) => e);
    expect(isParadumpError(error, 'STORAGE_UNREACHABLE')).toBe(true);
  });

  it('refuses a bad bucket name and a path leaving the prefix', () => {
    expect(() => parseLocation('s3://Bad_Bucket/x')).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => fresh().openWrite('../escape')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe('local target', () => {
  it('writes atomically, refuses a directory holding a backup, lists and deletes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-local-'));
    try {
      const t = openTarget(path.join(dir, 'b'));
      await t.prepare();
      await writeFile(t, 'data/a/x.sql', Buffer.from('abc'));
      expect(await t.matches('data/a/x.sql', 3, sha(Buffer.from('abc')))).toBe(true);
      await t.put('manifest.json', '{}');
      await expect(t.prepare()).rejects.toMatchObject({ code: 'OUTPUT_NOT_EMPTY', details: { reason: 'HOLDS_BACKUP' } });
      expect((await t.list()).map((f) => f.file).sort()).toEqual(['data/a/x.sql', 'manifest.json']);
      expect(await t.deleteAll()).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Manifest } from '../../lib/core/manifest.ts';
import { dump } from '../../lib/engine/dump.ts';
import { openTarget } from '../../lib/storage/open-target.ts';
import { createTestDatabase } from '../harness/db.ts';
import { startS3Server, type S3Server } from '../harness/s3-server.ts';
import { createChunkTable } from '../fixtures/generate.ts';

const uri = inject('mariadbUri');
let s3: S3Server;
const cleanup: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['dumps'] });
  // Work folders of remote dumps go here, not under the home directory.
  const home = await mkdtemp(path.join(os.tmpdir(), 'paradump-home-'));
  process.env.PARADUMP_HOME = home;
  cleanup.push(() => rm(home, { recursive: true, force: true }));
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  await s3?.stop();
});

describe('dump to S3', () => {
  it('writes every file through the target, the manifest last, each object with its sha256; a prefix holding a backup is refused', async () => {
    const src = await createTestDatabase(uri, 's3_dump');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 't', rows: 20_000 });
    const outDir = `s3://dumps/one-${Date.now()}`;
    const order: string[] = [];
    const manifest = await dump({ source: uri, outDir, storage: s3.settings, databases: [src.name], chunkRows: 2_000, threads: 2 }, { onEvent: (e) => e.type === 'chunk-finished' && order.push(e.file) });
    expect(manifest.totals.chunks).toBe(10);
    const target = openTarget(outDir, s3.settings);
    const stored = await target.list();
    const names = stored.map((f) => f.file);
    expect(names).toContain('manifest.json');
    expect(names.some((f) => f.startsWith('schema/'))).toBe(true);
    for (const chunk of manifest.tables.flatMap((t) => t.chunks)) {
      expect(await target.stat(chunk.file)).toEqual({ file: chunk.file, bytes: chunk.bytes, sha256: chunk.sha256 });
    }
    // Nothing half-written is left: no upload objects, no journal or state in the bucket.
    expect(names.filter((f) => f.endsWith('.upload') || f.endsWith('.partial'))).toEqual([]);
    const text = (await target.readAll('manifest.json'))!;
    expect(Manifest.parse(JSON.parse(text.toString())).totals.rows).toBe(20_000);
    expect(createHash('sha256').update(text).digest('hex')).toBe((await target.stat('manifest.json'))!.sha256);

    await expect(dump({ source: uri, outDir, storage: s3.settings, databases: [src.name] })).rejects.toMatchObject({ code: 'OUTPUT_NOT_EMPTY', details: { reason: 'HOLDS_BACKUP' } });
    await expect(dump({ source: uri, outDir, storage: s3.settings, databases: [src.name], resume: true })).rejects.toMatchObject({ code: 'NOTHING_TO_RESUME', details: { reason: 'ALREADY_FINISHED' } });
  });

  it('a local dump directory that holds a backup is refused the same way', async () => {
    const src = await createTestDatabase(uri, 's3_local');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 't', rows: 1_000 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-local-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await dump({ source: uri, outDir: dir, databases: [src.name] });
    await expect(dump({ source: uri, outDir: dir, databases: [src.name] })).rejects.toMatchObject({ code: 'OUTPUT_NOT_EMPTY', details: { reason: 'HOLDS_BACKUP' } });
  });
});

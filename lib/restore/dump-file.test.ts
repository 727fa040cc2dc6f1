import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from './dump-file.ts';

describe('hashFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-hashfile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the same sha256 and size on the hashing thread and on this one, for empty, small and multi-buffer files', async () => {
    for (const size of [0, 1, 65_537, 3 * 1024 * 1024 + 5]) {
      const bytes = randomBytes(size);
      const file = path.join(dir, `f${size}`);
      await writeFile(file, bytes);
      const expected = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: size };
      expect(await hashFile(dir, `f${size}`, undefined, size)).toEqual(expected);
      expect(await hashFile(dir, `f${size}`, undefined, size, { onThisThread: true })).toEqual(expected);
      // A wrong size hint only changes the read buffer.
      expect(await hashFile(dir, `f${size}`, undefined, 10, { onThisThread: true })).toEqual(expected);
    }
  });

  it('stops when aborted, on this thread too', async () => {
    const file = path.join(dir, 'big');
    await writeFile(file, randomBytes(4 * 1024 * 1024));
    const controller = new AbortController();
    controller.abort();
    await expect(hashFile(dir, 'big', controller.signal, undefined, { onThisThread: true })).rejects.toThrow(/abort/i);
  });
});

describe('checkDumpFiles', () => {
  it('finds a changed file whichever lane hashes it (this thread or the hashing thread)', async () => {
    const { checkDumpFiles } = await import('./check-files.ts');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-check-'));
    try {
      const chunks = [];
      for (let i = 0; i < 6; i++) {
        const bytes = randomBytes(200_000 + i);
        await writeFile(path.join(dir, `c${i}.sql`), bytes);
        chunks.push({ index: i, file: `c${i}.sql`, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
      // The first two files go to different lanes (lane 0 hashes on this thread).
      for (const i of [0, 1]) await writeFile(path.join(dir, `c${i}.sql`), randomBytes(200_000 + i));
      const table = { database: 'd', table: 't' } as unknown as Parameters<typeof checkDumpFiles>[0]['chunks'][number]['table'];
      for (const threads of [1, 2, 4]) {
        const check = await checkDumpFiles({ dir, plainFiles: [], chunks: chunks.map((c) => ({ table, chunk: c as never })), hash: true, threads });
        expect(check.problems.map((p) => [p.file, p.problem]).sort(), `threads ${threads}`).toEqual([['c0.sql', 'sha256'], ['c1.sql', 'sha256']]);
        expect(check.files).toBe(6);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

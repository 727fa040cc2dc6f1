import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DumpRequest } from './dump-options.ts';
import { readDumpRequest, REQUEST_FILE, resumedRequest, writeDumpRequest } from './dump-request-file.ts';
import { isParadumpError } from './errors.ts';

const saved = DumpRequest.parse({ databases: ['bank_a', 'bank_b'], threads: 2, chunkRows: 10, compress: 'gzip', objects: false });

describe('resumedRequest', () => {
  it('is the saved request when nothing is given, whatever the defaults are', () => {
    expect(resumedRequest(saved, {})).toEqual(saved);
  });

  it('takes threads and lock timing from the resume, and accepts given values equal to the saved ones (lists in any order)', () => {
    const r = resumedRequest(saved, { threads: 8, lockWaitTimeout: 30, killLongQueries: 60, databases: ['bank_b', 'bank_a'], chunkRows: 10, objects: false });
    expect(r).toEqual({ ...saved, threads: 8, lockWaitTimeout: 30, killLongQueries: 60 });
  });

  it('refuses a given option that contradicts the saved one, naming it', () => {
    for (const [key, value] of [['databases', []], ['chunkRows', 100_000], ['compress', 'zstd'], ['objects', true], ['format', 'tsv'], ['blockDdl', true], ['compressLevel', 5]] as const) {
      let error: unknown;
      try {
        resumedRequest(saved, { [key]: value });
      } catch (e) {
        error = e;
      }
      expect(isParadumpError(error, 'BAD_OPTION'), key).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ path: key, reason: 'RESUME_CONTRADICTS', given: value });
    }
  });
});

describe('the request file', () => {
  it('round-trips, is null when absent, and refuses a damaged one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-request-'));
    try {
      expect(await readDumpRequest(dir)).toBeNull();
      await writeDumpRequest(dir, { requestedAt: '2026-12-07T00:00:00.000Z', source: { host: 'db1', port: 3306 }, options: saved });
      expect((await readDumpRequest(dir))?.options).toEqual(saved);
      expect(await readFile(path.join(dir, REQUEST_FILE), 'utf8')).not.toMatch(/password/i);
      await writeFile(path.join(dir, REQUEST_FILE), '{"format":"paradump-request"');
      await expect(readDumpRequest(dir)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

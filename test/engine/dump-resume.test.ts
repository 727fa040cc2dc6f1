import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { isParadumpError } from '../../lib/core/errors.ts';
import { readJournal } from '../../lib/engine/journal.ts';
import { Manifest } from '../../lib/core/manifest.ts';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { checksumTables, connect, createTestDatabase } from '../harness/db.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');

/** Starts `paradump dump --json` and SIGKILLs it after `killAfter` chunks finished; resolves once it is dead. */
async function dumpAndKill(args: string[], killAfter: number): Promise<{ killed: boolean; finishedChunks: number }> {
  const child = spawn(process.execPath, ['bin/paradump.mjs', 'dump', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let finished = 0;
  let killed = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout! })) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type: string };
    if (event.type === 'chunk-finished' && ++finished >= killAfter && !killed) {
      killed = child.kill('SIGKILL');
    }
  }
  await exited;
  return { killed, finishedChunks: finished };
}

/** Every chunk of the final dump was journaled exactly once, and its file is the one journaled. */
async function expectNoChunkTwice(dir: string, manifest: Manifest): Promise<void> {
  const journal = await readJournal(dir);
  const seen = new Map<string, number>();
  for (const e of journal) if (e.type === 'chunk') seen.set(`${e.table}#${e.index}`, (seen.get(`${e.table}#${e.index}`) ?? 0) + 1);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(seen.size).toBe(manifest.totals.chunks);
  const files = (await readdir(path.join(dir, 'data'), { recursive: true })).filter((f) => f.endsWith('.zst'));
  expect(files.length).toBe(manifest.totals.chunks);
  expect(files.some((f) => f.endsWith('.partial'))).toBe(false);
}

describe('resume', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });
  const tmp = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'paradump-resume-'));
    cleanup.push(() => rm(d, { recursive: true, force: true }));
    return d;
  };

  it('after kill -9 at random points, --resume completes a dump that round-trips exactly, no chunk dumped twice', async () => {
    const src = await createTestDatabase(uri, 'kill9_src');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 'big', rows: 60_000 });
    await createChunkTable({ uri, db: src.name, table: 'words', rows: 20_000, key: 'varchar' });
    await createChunkTable({ uri, db: src.name, table: 'nokey', rows: 3_000, key: 'none' });
    const dir = path.join(await tmp(), 'dump');
    const common = ['--source', uri, '--threads', '2', '--chunk-rows', '1000'];

    // Kill the first run somewhere in its first half, then kill the first resume too.
    const first = await dumpAndKill([...common, '--databases', src.name, '--out', dir], 2 + Math.floor(Math.random() * 30));
    expect(first.killed).toBe(true);
    expect(await readdir(dir)).not.toContain('manifest.json');
    const second = await dumpAndKill([...common, '--resume', dir], 1 + Math.floor(Math.random() * 10));
    expect(second.killed).toBe(true);
    const third = await dumpAndKill([...common, '--resume', dir], Number.MAX_SAFE_INTEGER);
    expect(third.killed).toBe(false);

    const manifest = Manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.resumedAt).toHaveLength(2);
    expect(manifest.consistency.snapshots.length).toBeGreaterThanOrEqual(2);
    expect(manifest.consistency).toMatchObject({ consistent: false, consistentWithin: 'chunk-set', binlog: null });
    expect(manifest.totals.rows).toBe(83_000);
    await expectNoChunkTwice(dir, manifest);

    const dst = await createTestDatabase(uri, 'kill9_dst');
    cleanup.push(dst.drop);
    await loadDumpWithClient({ uri, dir, manifest, source: src.name, target: dst.name });
    expect(await checksumTables(uri, dst.name)).toEqual(await checksumTables(uri, src.name));
  });

  it('kill -9 while groups of small tables are being written: the resume keeps only journaled files and completes', async () => {
    const src = await createTestDatabase(uri, 'kill9_small');
    cleanup.push(src.drop);
    // 150 one-chunk tables: three groups, two of them written at once by the two workers.
    const conn = await connect(uri, src.name);
    try {
      const statements = Array.from({ length: 150 }, (_, i) => `CREATE TABLE s${i} (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO s${i} VALUES (1, 'a${i}'), (2, 'b${i}'), (3, NULL)`);
      await conn.query(statements.join('; '));
      await conn.query(`ANALYZE TABLE ${Array.from({ length: 150 }, (_, i) => `s${i}`).join(', ')}`);
    } finally {
      await conn.end();
    }
    const dir = path.join(await tmp(), 'dump');
    const common = ['--source', uri, '--threads', '2'];
    // Killed as soon as the first group is journaled: the other worker's group is then on disk, unjournaled.
    const first = await dumpAndKill([...common, '--databases', src.name, '--out', dir], 1);
    expect(first.killed).toBe(true);
    const journaled = (await readJournal(dir)).flatMap((e) => (e.type === 'chunk' ? [e.file] : []));
    expect(journaled.length).toBeGreaterThan(0);
    expect(journaled.length).toBeLessThan(150);
    const onDisk = new Set((await readdir(path.join(dir, 'data'), { recursive: true })).map((f) => `data/${String(f)}`));
    expect(journaled.every((f) => onDisk.has(f))).toBe(true);
    const second = await dumpAndKill([...common, '--resume', dir], Number.MAX_SAFE_INTEGER);
    expect(second.killed).toBe(false);
    expect(second.finishedChunks).toBe(150 - journaled.length);

    const manifest = Manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.totals).toMatchObject({ tables: 150, chunks: 150, rows: 450 });
    await expectNoChunkTwice(dir, manifest);
    const dst = await createTestDatabase(uri, 'kill9_small_dst');
    cleanup.push(dst.drop);
    await loadDumpWithClient({ uri, dir, manifest, source: src.name, target: dst.name });
    expect(await checksumTables(uri, dst.name)).toEqual(await checksumTables(uri, src.name));
  });

  it('a cancelled dump (AbortSignal) resumes from where it stopped', async () => {
    const src = await createTestDatabase(uri, 'abort_src');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 't', rows: 30_000 });
    const dir = path.join(await tmp(), 'dump');
    const abort = new AbortController();
    let seen = 0;
    const error = await dump(
      { source: uri, outDir: dir, databases: [src.name], chunkRows: 1000, threads: 2 },
      { signal: abort.signal, onEvent: (e) => e.type === 'chunk-finished' && ++seen === 5 && abort.abort() },
    ).catch((e: unknown) => e);
    expect(isParadumpError(error, 'ABORTED')).toBe(true);
    const kept = (await readJournal(dir)).filter((e) => e.type === 'chunk').length;
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThan(30);

    const dumped: number[] = [];
    const manifest = await dump({ source: uri, outDir: dir, resume: true }, { onEvent: (e) => e.type === 'chunk-finished' && dumped.push(e.index) });
    expect(dumped).toHaveLength(30 - kept);
    expect(manifest.totals).toMatchObject({ chunks: 30, rows: 30_000 });
    await expectNoChunkTwice(dir, manifest);
    await expect(dump({ source: uri, outDir: dir, resume: true })).rejects.toThrow(/already complete/);
  });

  it('a server killed mid-dump gives a clear error and a resumable directory', async () => {
    const server = await startThrowawayServer({ serverId: 7 });
    cleanup.push(() => server.stop());
    const src = await createTestDatabase(server.uri, 'crash_src');
    await createChunkTable({ uri: server.uri, db: src.name, table: 't', rows: 40_000 });
    const before = await checksumTables(server.uri, src.name);
    const dir = path.join(await tmp(), 'dump');
    let killed = false;
    const error = await dump(
      { source: server.uri, outDir: dir, databases: [src.name], chunkRows: 1000, threads: 2 },
      {
        onEvent: (e) => {
          if (e.type === 'chunk-finished' && !killed) {
            killed = true;
            void server.kill9();
          }
        },
      },
    ).catch((e: unknown) => e);
    expect(isParadumpError(error, 'CONNECTION_LOST')).toBe(true);
    expect((error as Error).message).toMatch(/connection to the server was lost.*can be resumed/);
    expect(await readdir(dir)).not.toContain('manifest.json');

    await server.restart();
    const manifest = await dump({ source: server.uri, outDir: dir, resume: true });
    expect(manifest.totals.rows).toBe(40_000);
    await expectNoChunkTwice(dir, manifest);
    const dst = await createTestDatabase(server.uri, 'crash_dst');
    await loadDumpWithClient({ uri: server.uri, dir, manifest, source: src.name, target: dst.name });
    expect(await checksumTables(server.uri, dst.name)).toEqual(before);
  });
});

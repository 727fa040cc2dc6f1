import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { restore } from '../../lib/restore/restore.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { checksumTables, connect, createTestDatabase, quoteIdent, type TestDatabase } from '../harness/db.ts';
import { describeRun, randomKill, runKilled, type Kill } from '../harness/kill-child.ts';
import { seededRandom } from '../harness/seeded-random.ts';

const uri = inject('mariadbUri');

/** A random point of a restore: start-up, the attempt file, connecting, the file check, tables, a chunk, indexes, objects. */
const restoreKill = (random: () => number) =>
  randomKill(random, [
    { type: 'run-started', count: 1 },
    { type: 'files-checked', count: 1 },
    { type: 'table-created', count: 1 + Math.floor(random() * 3) },
    { type: 'chunk-finished', count: 1 + Math.floor(random() * 14) },
    { type: 'indexes-added', count: 1 },
    { type: 'table-finished', count: 1 + Math.floor(random() * 2) },
  ]);

describe('a restore killed at random points and resumed equals the source', () => {
  let src: TestDatabase;
  let dir: string;
  let targetDb: string;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    src = await createTestDatabase(uri, 'rkr_src');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 'big', rows: 8_000 });
    await createChunkTable({ uri, db: src.name, table: 'words', rows: 2_000, key: 'varchar' });
    await createChunkTable({ uri, db: src.name, table: 'nokey', rows: 500, key: 'none' });
    const c = await connect(uri, src.name);
    await c.query('CREATE VIEW big_even AS SELECT id, k FROM big WHERE id % 2 = 0');
    await c.end();
    const root = await mkdtemp(path.join(os.tmpdir(), 'paradump-rkr-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    dir = path.join(root, 'dump');
    await dump({ source: uri, outDir: dir, databases: [src.name], chunkRows: 500, threads: 2 });
    targetDb = `${src.name}_copy`;
    cleanup.push(async () => {
      const d = await connect(uri);
      await d.query(`DROP DATABASE IF EXISTS ${quoteIdent(targetDb)}`);
      await d.end();
    });
    // The state directory holds an older restore that finished: a resume must not answer about it.
    await restore({ from: dir, target: uri, rename: { [src.name]: targetDb } });
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('restored again with --drop-existing, killed and resumed at seeded random points: the target equals the source', async () => {
    const seed = Number(process.env.PARADUMP_TEST_SEED ?? 17);
    const random = seededRandom(seed);
    const expected = await checksumTables(uri, src.name);
    const command = ['--from', dir, '--target', uri, '--rename', `${src.name}:${targetDb}`, '--threads', '2'];
    for (let round = 0; round < 2; round++) {
      // Damage the copy: only a restore that really ran makes it equal again.
      const c = await connect(uri, targetDb);
      await c.query(`DELETE FROM big WHERE id % 3 = ${round}`);
      await c.query(`UPDATE words SET k = k + 1`);
      await c.end();
      expect(await checksumTables(uri, targetDb)).not.toEqual(expected);

      const log: string[] = [];
      const run = async (args: string[], kill: Kill, what: string) => {
        const result = await runKilled('restore', args, kill);
        log.push(describeRun(what, kill, result));
        return result;
      };
      let attempt = await run([...command, '--drop-existing'], restoreKill(random), 'start');
      for (let i = 0; i < 4 && (attempt.killed || attempt.code !== 0); i++) {
        const kill = i === 3 ? {} : restoreKill(random);
        attempt = await run([...command, '--resume'], kill, 'resume');
        if (attempt.code === 2 && /NOTHING_TO_RESUME/.test(attempt.stderr)) {
          // Killed before it saved what it was asked: the journal is still the older, finished restore's,
          // and the answer says so; the operator runs the restore again.
          expect(attempt.stderr).toMatch(/finished .* no later restore into this target got as far as saving what it was asked/);
          attempt = await run([...command, '--drop-existing'], kill, 'again');
        }
      }
      if (process.env.PARADUMP_TEST_LOG) console.log(`seed ${seed} round ${round}:\n  ${log.join('\n  ')}`);
      expect(attempt.code, `seed ${seed} round ${round}: ${log.join(' | ')}`).toBe(0);
      expect(attempt.events.at(-1)?.type).toBe('run-finished');
      expect(await checksumTables(uri, targetDb), `seed ${seed} round ${round}: ${log.join(' | ')}`).toEqual(expected);
      const v = await connect(uri, targetDb);
      const [[view]] = (await v.query('SELECT COUNT(*) AS n FROM big_even')) as unknown as [[{ n: number }]];
      await v.end();
      expect(Number(view.n)).toBe(4_000);
      // No staging database or half-made table is left behind.
      const d = await connect(uri);
      const [dbs] = (await d.query("SHOW DATABASES LIKE '\\_paradump\\_stage%'")) as unknown as [unknown[]];
      await d.end();
      expect(dbs).toHaveLength(0);
    }
    // The older journals were kept aside, never reused.
    const stateDirs = await readdir(path.join(dir, '.paradump-restore'));
    expect(stateDirs).toHaveLength(1);
  });

  it('--resume of a restore stopped before its begin line runs it (with its --drop-existing) instead of answering about the older one', async () => {
    const c = await connect(uri, targetDb);
    await c.query('DELETE FROM big WHERE id < 100');
    await c.end();
    // Stopped right after it saved what it was asked, before anything connected.
    const first = await runKilled('restore', ['--from', dir, '--target', uri, '--rename', `${src.name}:${targetDb}`, '--drop-existing'], { on: { type: 'run-started', count: 1 } });
    expect(first.killed).toBe(true);
    const resumed = await runKilled('restore', ['--from', dir, '--target', uri, '--rename', `${src.name}:${targetDb}`, '--resume'], {});
    expect(resumed.code, resumed.stderr).toBe(0);
    // The kill lands within a millisecond of run-started, while the files are being hashed: before begin.
    expect(first.events.map((e) => e.type)).toEqual(['run-started']);
    expect(resumed.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'RESTORE_RESTARTED' }));
    expect(resumed.events).toContainEqual(expect.objectContaining({ type: 'run-started', resumed: false }));
    expect(await checksumTables(uri, targetDb)).toEqual(await checksumTables(uri, src.name));
    const again = await restore({ from: dir, target: uri, rename: { [src.name]: targetDb }, resume: true }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'NOTHING_TO_RESUME', details: { reason: 'ALREADY_FINISHED' } });
    expect((again as Error).message).toMatch(/nothing to resume: the restore journaled at .* finished/);
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Manifest } from '../../lib/core/manifest.ts';
import { readJournal } from '../../lib/engine/journal.ts';
import { restore } from '../../lib/restore/restore.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { checksumTables, connect, createTestDatabase, type TestDatabase } from '../harness/db.ts';
import { seededRandom } from '../harness/seeded-random.ts';
import { describeRun, randomKill, runKilled, type Kill } from '../harness/kill-child.ts';

const uri = inject('mariadbUri');

/** A random point of a dump: start-up, the request, connecting, discovery, planning, the snapshot, a chunk. */
const dumpKill = (random: () => number) =>
  randomKill(random, [
    { type: 'run-started', count: 1 },
    { type: 'discovered', count: 1 },
    { type: 'table-planned', count: 1 + Math.floor(random() * 4) },
    { type: 'snapshot-opened', count: 1 },
    { type: 'chunk-finished', count: 1 + Math.floor(random() * 12) },
  ]);
const dumpChild = (args: string[], kill: Kill) => runKilled('dump', args, kill);

describe('a resumed dump dumps what was asked', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let other: TestDatabase;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    a = await createTestDatabase(uri, 'ask_a');
    b = await createTestDatabase(uri, 'ask_b');
    // On the same server and not asked for: a resume with the defaults would dump it too.
    other = await createTestDatabase(uri, 'ask_other');
    cleanup.push(a.drop, b.drop, other.drop);
    await createChunkTable({ uri, db: a.name, table: 'big', rows: 12_000 });
    await createChunkTable({ uri, db: a.name, table: 'words', rows: 3_000, key: 'varchar' });
    await createChunkTable({ uri, db: b.name, table: 'accounts', rows: 6_000 });
    await createChunkTable({ uri, db: b.name, table: 'nokey', rows: 800, key: 'none' });
    await createChunkTable({ uri, db: b.name, table: 'left_out', rows: 500 });
    await createChunkTable({ uri, db: other.name, table: 't', rows: 500 });
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  const tmp = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'paradump-asked-'));
    cleanup.push(() => rm(d, { recursive: true, force: true }));
    return path.join(d, 'dump');
  };
  // Nothing here is a default: a resume that fell back to defaults would show in the manifest.
  const asked = () => ['--databases', `${a.name},${b.name}`, '--exclude-tables', `${b.name}.left_out`, '--threads', '2', '--chunk-rows', '700', '--compress', 'gzip', '--statement-bytes', '65536', '--no-objects'];

  it('killed at random points (its first second included), resumed again and again: the manifest has the options asked and restores to the source', async () => {
    const seed = Number(process.env.PARADUMP_TEST_SEED ?? 17);
    const random = seededRandom(seed);
    for (let round = 0; round < 2; round++) {
      const dir = await tmp();
      const log: string[] = [];
      // Every attempt dies at a random point, the first one included; then one runs to the end.
      const run = async (args: string[], kill: Kill, what: string) => {
        const result = await dumpChild(args, kill);
        log.push(describeRun(what, kill, result));
        return result;
      };
      let attempt = await run(['--source', uri, ...asked(), '--out', dir], dumpKill(random), 'start');
      let finished = false;
      for (let i = 0; i < 4; i++) {
        const last = i === 3;
        const kill = last ? {} : dumpKill(random);
        attempt = attempt.killed || attempt.code !== 0 ? await run(['--source', uri, '--resume', dir], kill, 'resume') : attempt;
        // Killed after its manifest was stored (a kill by time lands there too): the dump is finished.
        if (attempt.code === 2 && /already complete/.test(attempt.stderr)) {
          finished = true;
          break;
        }
        if (attempt.code === 2 && /NOTHING_TO_RESUME/.test(attempt.stderr)) {
          // Killed before it wrote what it was asked: nothing says what to dump, so the operator runs it again, as told.
          expect(attempt.stderr).toMatch(/does not exist|killed before it started/);
          attempt = await run(['--source', uri, ...asked(), '--out', dir], kill, 'again');
        }
        if (!attempt.killed && attempt.code === 0) break;
      }
      if (process.env.PARADUMP_TEST_LOG) console.log(`seed ${seed} round ${round}: ${log.join('\n  ')}`);
      expect(finished || attempt.code === 0, `seed ${seed} round ${round}: ${log.join(' | ')}`).toBe(true);

      const manifest = Manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
      expect(manifest.options).toMatchObject({
        databases: [a.name, b.name],
        excludeDatabases: [],
        tables: [],
        excludeTables: [`${b.name}.left_out`],
        threads: 2,
        chunkRows: 700,
        statementBytes: 65536,
        compress: 'gzip',
        format: 'sql',
        lock: 'snapshot',
        objects: false,
      });
      expect(manifest.databases.map((d) => d.name).sort()).toEqual([a.name, b.name].sort());
      expect(manifest.tables.map((t) => `${t.database}.${t.table}`).sort()).toEqual([`${a.name}.big`, `${a.name}.words`, `${b.name}.accounts`, `${b.name}.nokey`].sort());
      expect(manifest.totals.rows).toBe(12_000 + 3_000 + 6_000 + 800);
      // Every chunk once, every file the one journaled, nothing else under data/.
      const journaled = (await readJournal(dir)).filter((e) => e.type === 'chunk');
      expect(new Set(journaled.map((e) => `${e.database}.${e.table}#${e.index}`)).size).toBe(journaled.length);
      const files = (await readdir(path.join(dir, 'data'), { recursive: true })).filter((f) => /\.(sql|tsv)(\.\w+)?$/.test(f));
      expect(files.length).toBe(manifest.totals.chunks);
      expect(files.every((f) => f.endsWith('.gz'))).toBe(true);

      const rename = { [a.name]: `${a.name}_r${round}`, [b.name]: `${b.name}_r${round}` };
      cleanup.push(async () => {
        const c = await connect(uri);
        for (const db of Object.values(rename)) await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
        await c.end();
      });
      await restore({ from: dir, target: uri, rename, threads: 2 });
      for (const [from, to] of Object.entries(rename)) {
        const expected = await checksumTables(uri, from);
        if (from === b.name) delete expected.left_out;
        expect(await checksumTables(uri, to), `seed ${seed} round ${round}: ${log.join(' | ')}`).toEqual(expected);
      }
    }
  });

  it('--resume refuses a flag that contradicts the saved request, naming it, and a directory with no request', async () => {
    const dir = await tmp();
    const first = await dumpChild(['--source', uri, ...asked(), '--out', dir], { on: { type: 'chunk-finished', count: 2 } });
    expect(first.killed).toBe(true);
    const contradicting = await dumpChild(['--source', uri, '--resume', dir, '--databases', a.name], {});
    expect(contradicting.code).toBe(2);
    expect(contradicting.stderr).toMatch(/--databases contradicts the dump being resumed: the interrupted dump was asked for .*ask_a.*ask_b.*, this resume for ask_a_\w+.*\[BAD_OPTION\]/);
    const gzip = await dumpChild(['--source', uri, '--resume', dir, '--compress', 'zstd'], {});
    expect(gzip.stderr).toMatch(/--compress contradicts the dump being resumed: .*asked for gzip, this resume for zstd/);
    const objects = await dumpChild(['--source', uri, '--resume', dir, '--chunk-rows', '700', '--databases', `${b.name},${a.name}`, '--threads', '1'], {});
    // The same values (a list in another order) and a different --threads are accepted.
    expect(objects.code, objects.stderr).toBe(0);
    const manifest = Manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.options).toMatchObject({ threads: 1, chunkRows: 700, compress: 'gzip', objects: false });

    const empty = await tmp();
    await mkdir(empty, { recursive: true });
    const none = await dumpChild(['--source', uri, '--resume', empty], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nothing to resume in .*: the dump was killed before it started .*run the dump again.*\[NOTHING_TO_RESUME\]/);
  });
});

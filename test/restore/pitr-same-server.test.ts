import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ParadumpError } from '../../lib/core/errors.ts';
import { dump } from '../../lib/engine/dump.ts';
import { pitr } from '../../lib/restore/pitr.ts';
import { restore } from '../../lib/restore/restore.ts';
import { checksumTables, connect, quoteIdent, uniqueName } from '../harness/db.ts';
import { describeRun, runKilled, type Kill } from '../harness/kill-child.ts';
import { seededRandom } from '../harness/seeded-random.ts';
import { commitsMore, createChangeTables, startChangeWriter } from './change-writer.ts';
import { runCli } from './run-cli.ts';

/**
 * The operator's case after a bad DELETE: last night's dump restored into the SAME server under new
 * names, then rolled forward from that server's own binary log. The replay must never read what it
 * writes, apply every transaction whole across databases, and resume after kill -9 without applying
 * anything twice.
 */
const uri = inject('mariadbUri');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = await connect(uri);
  try {
    const [rows] = await c.query(sql, values);
    return rows as T[];
  } finally {
    await c.end();
  }
}

describe('point-in-time recovery into the server it reads the binlog of', () => {
  const dbA = uniqueName('same_a');
  const dbB = uniqueName('same_b');
  let work: string;
  let dir: string;
  let mid: { file: string; position: number; gtid: string; datetime: string; state: unknown; total: number };
  let endState: unknown;
  let endTotal: number;
  const restored: string[] = [];

  const stateOf = async (a: string, b: string) => ({ a: await checksumTables(uri, a), b: await checksumTables(uri, b) });
  /** Money across both databases: a transaction moving it that is applied on one side only shows here. */
  const totalOf = async (a: string, b: string) => {
    const [r] = await query<{ t: string }>(`SELECT (SELECT SUM(balance) FROM ${quoteIdent(a)}.accounts) + (SELECT SUM(qty) FROM ${quoteIdent(b)}.items) AS t`);
    return Number(r!.t);
  };
  const restoreAs = async (suffix: string) => {
    const names = { [dbA]: `${dbA}_${suffix}`, [dbB]: `${dbB}_${suffix}` };
    restored.push(...Object.values(names));
    await restore({ from: dir, target: uri, rename: names, threads: 2 });
    return { rename: names, a: names[dbA]!, b: names[dbB]! };
  };
  const logEnd = async () => (await query<{ File: string; Position: number }>('SHOW MASTER STATUS'))[0]!;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'paradump-pitr-same-'));
    dir = path.join(work, 'dump');
    await createChangeTables(uri, dbA, dbB);
    const writer = await startChangeWriter({ uri, dbA, dbB, concurrency: 2, txPerSecond: 200 });
    try {
      await commitsMore(writer, 50);
      await dump({ source: uri, outDir: dir, databases: [dbA, dbB], threads: 2, chunkRows: 40, lock: 'snapshot' });
      await commitsMore(writer, 150);
      await writer.pause();
      const status = await logEnd();
      const [g] = await query<{ gtid: string }>('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
      const state = await stateOf(dbA, dbB);
      const total = await totalOf(dbA, dbB);
      const boundary = Math.floor(Date.now() / 1000) * 1000 + 1000;
      while (Date.now() < boundary + 50) await sleep(20);
      mid = { file: status.File, position: Number(status.Position), gtid: g!.gtid, datetime: new Date(boundary).toISOString().replace('T', ' ').slice(0, 19), state, total };
      writer.resume();
      await commitsMore(writer, 250);
    } finally {
      await writer.stop();
    }
    endState = await stateOf(dbA, dbB);
    endTotal = await totalOf(dbA, dbB);
  });
  /** A slow reader, so a kill lands midway: every COMMIT it passes on waits 5 ms. */
  const slowReader = async () => {
    const slow = path.join(work, 'slow-binlog');
    await writeFile(slow, `#!/bin/sh\nmariadb-binlog "$@" | perl -ne 'print; if (/^COMMIT/) { $| = 1; select(undef, undef, undef, 0.005) }'\n`);
    await chmod(slow, 0o755);
    return slow;
  };
  const progressOf = async (a: string) =>
    (await query<{ n: number }>('SELECT transactions AS n FROM paradump_recovery.pitr_progress WHERE target_databases LIKE ?', [`%${a}%`]).catch(() => []))[0];

  afterAll(async () => {
    const c = await connect(uri);
    for (const db of [dbA, dbB, ...restored]) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    await c.end();
    await rm(work, { recursive: true, force: true });
  });

  it('rolls the renamed copy forward to the end: equal to the source, whole transactions, and nothing re-logged', async () => {
    const { rename, a, b } = await restoreAs('end');
    const before = await logEnd();
    const r = await pitr({ from: dir, source: uri, target: uri, rename, until: 'end' });
    expect(r.plan.binlog).toMatchObject({ sameServer: true, write: false });
    expect(r.plan.notes.join('\n')).toContain('the target is the source itself');
    expect(r.transactions).toBeGreaterThan(50);
    expect(await stateOf(a, b)).toEqual(endState);
    expect(await totalOf(a, b)).toBe(endTotal);
    // The source's GTIDs were not written into its binary log again (nor anything else).
    expect(await logEnd()).toEqual(before);
    // And a later replay across the same range still reads a clean log.
    const again = await restoreAs('again');
    await pitr({ from: dir, source: uri, target: uri, rename: again.rename, until: 'end' });
    expect(await stateOf(again.a, again.b)).toEqual(endState);
  });

  for (const kind of ['position', 'gtid', 'datetime'] as const) {
    it(`rolls forward to a point in the middle (${kind}) on the same server`, async () => {
      const { rename, a, b } = await restoreAs(kind.slice(0, 3));
      const until = kind === 'position' ? `${mid.file}:${mid.position}` : kind === 'gtid' ? mid.gtid : mid.datetime;
      await pitr({ from: dir, source: uri, target: uri, rename, until });
      expect(await stateOf(a, b)).toEqual(mid.state);
      expect(await totalOf(a, b)).toBe(mid.total);
    });
  }

  it('refuses a second replay over the same range and changes nothing; --resume continues it to a later point', async () => {
    const { rename, a, b } = await restoreAs('twice');
    await pitr({ from: dir, source: uri, target: uri, rename, until: `${mid.file}:${mid.position}` });
    const error = (await pitr({ from: dir, source: uri, target: uri, rename, until: 'end' }).catch((e: unknown) => e)) as ParadumpError;
    expect(error.code).toBe('ALREADY_REPLAYED');
    expect(error.message).toMatch(/already rolled forward to .*--resume/);
    expect(await stateOf(a, b)).toEqual(mid.state);
    const resumed = await pitr({ from: dir, source: uri, target: uri, rename, until: 'end', resume: true });
    expect(resumed.plan.resumeFrom).toMatchObject({ file: mid.file, position: mid.position });
    expect(await stateOf(a, b)).toEqual(endState);
    const nothing = (await pitr({ from: dir, source: uri, target: uri, rename, until: 'end', resume: true }).catch((e: unknown) => e)) as ParadumpError;
    expect(nothing.code).toBe('NOT_RESUMABLE');
    expect(nothing.message).toMatch(/already rolled forward/);
  });

  it('a replay killed with kill -9 midway is resumed with --resume: equal to the source, no transaction twice', async () => {
    const { a, b } = await restoreAs('kill');
    const slow = await slowReader();
    const rename = ['--rename', `${dbA}:${a}`, '--rename', `${dbB}:${b}`];
    const args = ['bin/paradump.mjs', 'pitr', '--from', dir, '--source', uri, '--target', uri, ...rename, '--until', 'end', '--quiet'];
    // From source: a bundle built from other sources must not stand in for these.
    const child = spawn(process.execPath, [...args, '--binlog-tool', slow], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PARADUMP_FROM_SOURCE: '1' } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    for (let i = 0; Number((await progressOf(a))?.n ?? 0) < 20; i++) {
      if (child.exitCode !== null) throw new Error(`the replay ended before it could be killed: ${stderr}`);
      if (i > 600) throw new Error('the replay made no progress');
      await sleep(50);
    }
    child.kill('SIGKILL');
    await exited;
    const partly = await stateOf(a, b);
    expect(partly).not.toEqual(endState);

    const r = await runCli([...args.slice(1), '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(await stateOf(a, b)).toEqual(endState);
    expect(await totalOf(a, b)).toBe(endTotal);
    const [ledger] = await query<{ n: number; d: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM ${quoteIdent(a)}.ledger`);
    expect(Number(ledger!.n)).toBe(Number(ledger!.d));
  });

  it('re-logging asked for explicitly (binlog on) into the server it reads: a later replay over that region still succeeds', async () => {
    const first = await restoreAs('relog');
    const r = await pitr({ from: dir, source: uri, target: uri, rename: first.rename, until: 'end', binlog: 'on' });
    expect(r.plan.binlog.write).toBe(true);
    expect(await stateOf(first.a, first.b)).toEqual(endState);
    // The next replay's range now holds the first replay's transactions too (other databases).
    const second = await restoreAs('after');
    await pitr({ from: dir, source: uri, target: uri, rename: second.rename, until: 'end' });
    expect(await stateOf(second.a, second.b)).toEqual(endState);
    expect(await totalOf(second.a, second.b)).toBe(endTotal);
  });

  it('killed with kill -9 at seeded random points, the first second included, and resumed each time: equal to the source, no transaction twice', async () => {
    const seed = Number(process.env.PARADUMP_TEST_SEED ?? 1207);
    const random = seededRandom(seed);
    const { a, b } = await restoreAs('rnd');
    const restoredState = await stateOf(a, b);
    const slow = await slowReader();
    const base = ['--from', dir, '--source', uri, '--target', uri, '--rename', `${dbA}:${a}`, '--rename', `${dbB}:${b}`, '--until', 'end', '--binlog-tool', slow];
    const history: string[] = [`seed ${seed}`];
    for (let round = 0; ; round++) {
      // Rounds 0 and 1 die in the first second (start-up, reading the plan, the first transactions).
      const kill: Kill = round >= 5 ? {} : round < 2 ? { afterMs: Math.floor(random() * 1000) } : random() < 0.5 ? { afterMs: Math.floor(random() * 3000) } : { on: { type: 'replay-progress', count: 1 + Math.floor(random() * 3) } };
      const recorded = await progressOf(a);
      // No progress row: nothing of the replay reached the target (the row is written before any transaction).
      if (!recorded) expect(await stateOf(a, b), history.join('\n')).toEqual(restoredState);
      const run = await runKilled('pitr', [...base, ...(recorded ? ['--resume'] : [])], kill);
      history.push(`${describeRun(`round ${round}${recorded ? ' --resume' : ''}`, kill, run)}; ${run.events.filter((e) => e.type === 'replay-progress').length} progress events, ${(await progressOf(a))?.n ?? 'no'} transactions recorded`);
      if (!run.killed) {
        expect(run.code, history.join('\n')).toBe(0);
        break;
      }
    }
    expect(await stateOf(a, b), history.join('\n')).toEqual(endState);
    expect(await totalOf(a, b)).toBe(endTotal);
    const [ledger] = await query<{ n: number; d: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d FROM ${quoteIdent(a)}.ledger`);
    expect(Number(ledger!.n)).toBe(Number(ledger!.d));
  });
});

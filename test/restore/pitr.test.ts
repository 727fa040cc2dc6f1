import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import type { Manifest } from '../../lib/core/manifest.ts';
import type { ParadumpError } from '../../lib/core/errors.ts';
import { pitr } from '../../lib/restore/pitr.ts';
import { restore } from '../../lib/restore/restore.ts';
import { verify } from '../../lib/restore/verify.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { checksumTables, connect, quoteIdent, uniqueName, queryRows as query } from '../harness/db.ts';
import { commitsMore, createChangeTables, startChangeWriter } from './change-writer.ts';
import { runCli } from './run-cli.ts';

const uri = inject('mariadbUri');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sourceState(u: string, dbs: string[]) {
  const out: Record<string, Record<string, string | null>> = {};
  for (const db of dbs) out[db] = await checksumTables(u, db);
  return out;
}

describe('point-in-time recovery', () => {
  const dbA = uniqueName('pitr_a');
  const dbB = uniqueName('pitr_b');
  let target: ThrowawayServer;
  let dir: string;
  let manifest: Manifest;
  const cleanup: (() => Promise<void>)[] = [];
  /** The source as it was at the pause in the middle. */
  let mid: { file: string; position: number; gtid: string; datetime: string; state: Record<string, Record<string, string | null>>; seqMax: number };
  let endState: Record<string, Record<string, string | null>>;
  let committedDuringDump = 0;

  beforeAll(async () => {
    target = await startThrowawayServer({ serverId: 2 });
    cleanup.push(() => target.stop());
    cleanup.push(async () => {
      const c = await connect(uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbA)}; DROP DATABASE IF EXISTS ${quoteIdent(dbB)}`);
      await c.end();
    });
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'paradump-pitr-')), 'dump');
    cleanup.push(() => rm(path.dirname(dir), { recursive: true, force: true }));
    await createChangeTables(uri, dbA, dbB);

    // The writer runs while the dump is taken, and on after it.
    const writer = await startChangeWriter({ uri, dbA, dbB, concurrency: 2, txPerSecond: 150 });
    try {
      await commitsMore(writer, 40);
      const before = writer.committed;
      manifest = await dump({ source: uri, outDir: dir, databases: [dbA, dbB], threads: 2, chunkRows: 40, lock: 'snapshot' });
      committedDuringDump = writer.committed - before;
      await commitsMore(writer, 60);

      // A point in the middle: nothing in flight, the source's state and coordinates recorded,
      // and a whole-second boundary passes before the writer goes on.
      await writer.pause();
      const [status] = await query<{ File: string; Position: number }>(uri, 'SHOW MASTER STATUS');
      const [g] = await query<{ gtid: string }>(uri, 'SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
      const state = await sourceState(uri, [dbA, dbB]);
      const seqMax = Math.max(...writer.log.map((r) => r.seq));
      const boundary = Math.floor(Date.now() / 1000) * 1000 + 1000;
      while (Date.now() < boundary + 50) await sleep(20);
      mid = { file: status!.File, position: Number(status!.Position), gtid: g!.gtid, datetime: new Date(boundary).toISOString().replace('T', ' ').slice(0, 19), state, seqMax };
      expect(writer.log.every((r) => new Date(r.at).getTime() < boundary)).toBe(true);
      writer.resume();
      await commitsMore(writer, 60);
    } finally {
      await writer.stop();
    }
    endState = await sourceState(uri, [dbA, dbB]);
    expect(writer.log.length).toBeGreaterThan(mid.seqMax + 20);
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  const restoreAs = async (suffix: string | null) => {
    const rename = suffix ? { [dbA]: `${dbA}_${suffix}`, [dbB]: `${dbB}_${suffix}` } : {};
    await restore({ from: dir, target: target.uri, rename, threads: 2 });
    // Restored exactly as dumped, before any replay.
    const report = await verify({ from: dir, target: target.uri, rename });
    expect(report.ok).toBe(true);
    return { rename, names: [rename[dbA] ?? dbA, rename[dbB] ?? dbB] };
  };
  const targetState = async (names: string[]) => {
    const s = await sourceState(target.uri, names);
    return { [dbA]: s[names[0]!]!, [dbB]: s[names[1]!]! };
  };

  it('the dump was taken while the writer committed', () => {
    expect(committedDuringDump).toBeGreaterThan(0);
    expect(mid.state).not.toEqual(endState);
    expect(manifest.consistency.binlog).not.toBeNull();
  });

  it('replays to the end of the binlog: every table equals the source (same names, second server)', async () => {
    const { rename, names } = await restoreAs(null);
    expect(await targetState(names)).not.toEqual(endState);
    const r = await pitr({ from: dir, source: uri, target: target.uri, rename, until: 'end' });
    expect(r.transactions).toBeGreaterThan(0);
    expect(r.plan.runs.map((x) => x.database).sort()).toEqual([dbA, dbB].sort());
    expect(await targetState(names)).toEqual(endState);
  });

  for (const kind of ['position', 'gtid', 'datetime'] as const) {
    it(`replays to a point in the middle (${kind}), renamed: the target is the source as it was then`, async () => {
      const { rename, names } = await restoreAs(kind.slice(0, 3));
      expect(await targetState(names)).not.toEqual(mid.state);
      const until = kind === 'position' ? `${mid.file}:${mid.position}` : kind === 'gtid' ? mid.gtid : mid.datetime;
      await pitr({ from: dir, source: uri, target: target.uri, rename, until });
      expect(await targetState(names)).toEqual(mid.state);
      // What the writer logged as committed by then is there, and nothing after.
      const [ledger] = await query<{ n: number; top: number }>(target.uri, `SELECT COUNT(*) AS n, MAX(seq) AS top FROM ${quoteIdent(names[0]!)}.ledger`);
      expect(Number(ledger!.n)).toBe(mid.seqMax);
      expect(Number(ledger!.top)).toBe(mid.seqMax);
    });
  }

  it('--dry-run prints the exact commands and changes nothing', async () => {
    const names = [`${dbA}_dry`, `${dbB}_dry`];
    const rename = [`--rename`, `${dbA}:${names[0]}`, `--rename`, `${dbB}:${names[1]}`];
    expect((await runCli(['restore', '--from', dir, '--target', target.uri, ...rename, '--quiet'])).code).toBe(0);
    const before = await targetState(names);
    const r = await runCli(['pitr', '--from', dir, '--source', uri, '--target', target.uri, ...rename, '--until', `${mid.file}:${mid.position}`, '--dry-run']);
    expect(r.code).toBe(0);
    const commands = r.stdout.trim().split('\n');
    // One reader per database (merged by paradump in commit order), then the one client.
    expect(commands).toHaveLength(3);
    const start = manifest.consistency.binlog!;
    for (const [i, db] of [dbA, dbB].entries()) {
      const line = commands.find((c) => c.includes(`--database=${db} `))!;
      expect(line).toContain(`mariadb-binlog --no-defaults --read-from-remote-server`);
      expect(line).toContain(`--start-position=${start.position} --stop-position=${mid.position}`);
      expect(line).toContain(`'--rewrite-db=${db}->${names[i]}'`);
      expect(line).toContain(start.file);
      expect(line).not.toContain('--disable-log-bin');
      expect(line).not.toMatch(/password|MYSQL_PWD/);
    }
    expect(commands[2]).toBe(`mariadb --no-defaults --protocol=TCP --host=127.0.0.1 --port=${target.port} --user=root --binary-mode --max-allowed-packet=1073741824`);
    expect(r.stderr).toContain('written to the target\'s binary log with the source\'s GTIDs');
    expect(await targetState(names)).toEqual(before);
  });

  it('refuses stop points before the dump, unknown binlogs and GTIDs not logged yet', async () => {
    const base = { from: dir, source: uri, target: target.uri };
    await expect(pitr({ ...base, until: `${manifest.consistency.binlog!.file}:4` })).rejects.toThrow(/before the dump's snapshot/);
    await expect(pitr({ ...base, until: 'binlog.999999:4' })).rejects.toThrow(/binlog binlog\.999999 does not exist on the source/);
    await expect(pitr({ ...base, until: '0-1-999999999' })).rejects.toThrow(/has not been logged by the source yet/);
    await expect(pitr({ ...base, until: '2001-01-01 00:00:00' })).rejects.toThrow(/before the dump's snapshot/);
    await expect(pitr({ ...base, until: 'yesterday' })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(pitr({ ...base, until: '2026-11-23 12:00:00.5' })).rejects.toThrow(/whole seconds/);
  });

  it('refuses a dump without binlog coordinates (--lock none)', async () => {
    const copy = path.join(path.dirname(dir), 'nocoords');
    await cp(dir, copy, { recursive: true });
    const m = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Manifest;
    m.options.lock = 'none';
    m.consistency = { ...m.consistency, mode: 'none', consistent: false, consistentWithin: 'none', binlog: null, gtid: null, snapshots: m.consistency.snapshots.map((s) => ({ ...s, scope: 'none', binlog: null, gtid: null })) };
    await writeFile(path.join(copy, 'manifest.json'), JSON.stringify(m));
    const error = (await pitr({ from: copy, source: uri, target: target.uri, until: 'end' }).catch((e: unknown) => e)) as ParadumpError;
    expect(error.code).toBe('NO_COORDINATES');
    expect(error.message).toMatch(/no binlog coordinates .*lock mode "none"/);
    const r = await runCli(['pitr', '--from', copy, '--source', uri, '--target', target.uri, '--until', 'end']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('paradump:'))).toHaveLength(1);
  });

  it('replays from local binlog files (--binlog-dir), then refuses once the needed binlog is purged', async () => {
    // The second server is the source here; the shared server is the target.
    const db = uniqueName('pitr_local');
    const restored = `${db}_r`;
    cleanup.push(async () => {
      const c = await connect(uri);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(restored)}`);
      await c.end();
    });
    const c = await connect(target.uri);
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(db)}; CREATE TABLE ${quoteIdent(db)}.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO ${quoteIdent(db)}.t VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
      const localDir = path.join(path.dirname(dir), 'local');
      await dump({ source: target.uri, outDir: localDir, databases: [db], threads: 1 });
      await c.query(`INSERT INTO ${quoteIdent(db)}.t VALUES (4, 'd'); UPDATE ${quoteIdent(db)}.t SET v = 'B' WHERE id = 2; DELETE FROM ${quoteIdent(db)}.t WHERE id = 1; FLUSH BINARY LOGS; INSERT INTO ${quoteIdent(db)}.t VALUES (5, 'after rotation')`);
      await restore({ from: localDir, target: uri, rename: { [db]: restored } });
      const r = await pitr({ from: localDir, binlogDir: target.datadir, target: uri, rename: { [db]: restored }, until: 'end' });
      expect(r.plan.runs[0]!.files.length).toBeGreaterThanOrEqual(2);
      expect(await checksumTables(uri, restored)).toEqual(await checksumTables(target.uri, db));

      // Purge everything up to the current file: the dump's starting binlog is gone. (MariaDB keeps
      // a file until its binlog checkpoint has passed it, which InnoDB reaches shortly: retry.)
      const startFile = (JSON.parse(await readFile(path.join(localDir, 'manifest.json'), 'utf8')) as Manifest).consistency.binlog!.file;
      await c.query(`FLUSH BINARY LOGS`);
      const [s2] = (await c.query('SHOW MASTER STATUS')) as unknown as [{ File: string }[]];
      for (let i = 0; ; i++) {
        await c.query(`PURGE BINARY LOGS TO '${s2[0]!.File}'`);
        const [logs] = (await c.query('SHOW BINARY LOGS')) as unknown as [{ Log_name: string }[]];
        if (!logs.some((l) => l.Log_name === startFile)) break;
        if (i > 100) throw new Error(`${startFile} was not purged`);
        await sleep(100);
      }
      const error = (await pitr({ from: localDir, source: target.uri, target: uri, rename: { [db]: restored }, until: 'end' }).catch((e: unknown) => e)) as ParadumpError;
      expect(error.code).toBe('BINLOG_PURGED');
      expect(error.message).toMatch(/binlog binlog\.\d+, where the dump's snapshot is .* is no longer on the source .*purged/);
    } finally {
      await c.end();
    }
  });
});

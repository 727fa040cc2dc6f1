import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { isParadumpError } from '../../lib/core/errors.ts';
import { connect, createTestDatabase, quoteIdent, type Connection, type TestDatabase } from '../harness/db.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');
const TOTAL = 1_000_000;

/** Two tables in one database whose balances always sum to TOTAL. */
async function createLedger(db: string): Promise<void> {
  const c = await connect(uri, db);
  try {
    for (const t of ['acct_a', 'acct_b']) {
      await c.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB`);
      const rows = Array.from({ length: 1000 }, (_, i) => [i + 1, TOTAL / 2000]);
      await c.query(`INSERT INTO ${t} VALUES ?`, [rows]);
    }
  } finally {
    await c.end();
  }
}

/** Moves money between the two tables of each database, one transaction per move, until stopped. */
function startInDatabaseWriter(dbs: string[]): { stop: () => Promise<number> } {
  let stopping = false;
  let committed = 0;
  const loops = dbs.map(async (db) => {
    const c = await connect(uri, db);
    try {
      while (!stopping) {
        const from = 1 + Math.floor(Math.random() * 1000);
        const to = 1 + Math.floor(Math.random() * 1000);
        const amount = 1 + Math.floor(Math.random() * 50);
        await c.query('START TRANSACTION');
        await c.query('UPDATE acct_a SET balance = balance - ? WHERE id = ?', [amount, from]);
        await c.query('UPDATE acct_b SET balance = balance + ? WHERE id = ?', [amount, to]);
        await c.query('COMMIT');
        committed++;
      }
    } finally {
      await c.end();
    }
  });
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      return committed;
    },
  };
}

async function ledgerTotal(db: string): Promise<number> {
  const c = await connect(uri, db);
  try {
    const [rows] = (await c.query('SELECT (SELECT SUM(balance) FROM acct_a) + (SELECT SUM(balance) FROM acct_b) AS total')) as unknown as [[{ total: string }]];
    return Number(rows[0].total);
  } finally {
    await c.end();
  }
}

describe('lock strategies', () => {
  const cleanup: (() => Promise<void>)[] = [];
  const tmp = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'paradump-lock-'));
    cleanup.push(() => rm(d, { recursive: true, force: true }));
    return d;
  };
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('per-db: each database total is exact while money moves inside it; A is released before B is locked', async () => {
    const a = await createTestDatabase(uri, 'perdb_a');
    const b = await createTestDatabase(uri, 'perdb_b');
    cleanup.push(a.drop, b.drop);
    await createLedger(a.name);
    await createLedger(b.name);
    const writer = startInDatabaseWriter([a.name, b.name]);
    let manifest;
    const dir = await tmp();
    try {
      manifest = await dump({ source: uri, outDir: dir, databases: [a.name, b.name], lock: 'per-db', threads: 3, chunkRows: 200 });
    } finally {
      expect(await writer.stop()).toBeGreaterThan(0);
    }
    expect(manifest.consistency).toMatchObject({ mode: 'per-db', consistent: false, consistentWithin: 'database', binlog: null });
    expect(manifest.consistency.note).toMatch(/consistent within a database, not across/);
    expect(manifest.consistency.snapshots.map((s) => [s.scope, s.target])).toEqual([
      ['database', a.name],
      ['database', b.name],
    ]);
    for (const s of manifest.consistency.snapshots) expect(s.binlog?.file).toMatch(/^binlog\./);
    const [lockA, lockB] = manifest.locks;
    expect(manifest.locks).toHaveLength(2);
    expect(lockA).toMatchObject({ scope: 'database', target: a.name });
    expect(lockA!.statement).toMatch(/^LOCK TABLES .* READ, .* READ$/);
    expect(lockB).toMatchObject({ scope: 'database', target: b.name });
    expect(Date.parse(lockA!.releasedAt!)).toBeLessThanOrEqual(Date.parse(lockB!.acquiredAt!));
    for (const t of manifest.tables) {
      const snap = manifest.consistency.snapshots.find((s) => s.target === t.database)!;
      expect(t.chunks.every((c) => c.snapshot === snap.id)).toBe(true);
    }

    for (const src of [a, b]) {
      const dst = await createTestDatabase(uri, 'perdb_r');
      cleanup.push(dst.drop);
      await loadDumpWithClient({ uri, dir, manifest, source: src.name, target: dst.name });
      expect(await ledgerTotal(dst.name)).toBe(TOTAL);
    }
  });

  it('per-table and none finish and say what they are', async () => {
    const db = await createTestDatabase(uri, 'modes');
    cleanup.push(db.drop);
    await createChunkTable({ uri, db: db.name, table: 't1', rows: 1500 });
    await createChunkTable({ uri, db: db.name, table: 't2', rows: 700, key: 'composite' });

    const perTable = await dump({ source: uri, outDir: await tmp(), databases: [db.name], lock: 'per-table', chunkRows: 500, threads: 2 });
    expect(perTable.consistency).toMatchObject({ mode: 'per-table', consistent: false, consistentWithin: 'table' });
    expect(perTable.locks.map((l) => [l.scope, l.target])).toEqual([
      ['table', `${db.name}.t1`],
      ['table', `${db.name}.t2`],
    ]);
    expect(perTable.locks.every((l) => l.holdMs !== null && l.waitMs !== null)).toBe(true);
    expect(Date.parse(perTable.locks[0]!.releasedAt!)).toBeLessThanOrEqual(Date.parse(perTable.locks[1]!.acquiredAt!));
    expect(perTable.totals.rows).toBe(2200);

    const none = await dump({ source: uri, outDir: await tmp(), databases: [db.name], lock: 'none', chunkRows: 500 });
    expect(none.consistency).toMatchObject({ mode: 'none', consistent: false, consistentWithin: 'none', binlog: null, gtid: null });
    expect(none.consistency.note).toMatch(/No locks were taken/);
    expect(none.locks).toEqual([]);
    expect(none.totals.rows).toBe(2200);
  });
});

describe('the instance-lock guard', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  let blocker: Connection;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(uri, 'guard');
    // The blocker works in another database: the instance lock waits for it, the dump's own reads do not.
    other = await createTestDatabase(uri, 'guard_other');
    cleanup.push(db.drop, other.drop);
    const c = await connect(uri, db.name);
    await c.query('CREATE TABLE busy (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB; CREATE TABLE kept (id INT PRIMARY KEY) ENGINE=InnoDB');
    await c.query(`CREATE TABLE ${quoteIdent(other.name)}.slow (id INT PRIMARY KEY, v INT) ENGINE=MyISAM; INSERT INTO ${quoteIdent(other.name)}.slow VALUES (1, 0), (2, 0)`);
    await c.end();
    blocker = await connect(uri, other.name);
    cleanup.push(() => blocker.end());
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  /** A long write to a MyISAM table holds up BACKUP STAGE BLOCK_COMMIT until it ends. */
  const startBlocker = () => blocker.query('UPDATE slow SET v = v + SLEEP(6) WHERE id = 1').catch(() => undefined);

  it('gives up within the timeout, names the blocking statement, and leaves writers unblocked', async () => {
    const running = startBlocker();
    await new Promise((r) => setTimeout(r, 300));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-guard-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const started = performance.now();
    const error = await dump({ source: uri, outDir: dir, databases: [db.name], lockWaitTimeout: 1 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isParadumpError(error, 'LOCK_TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(/UPDATE slow SET v = v \+ SLEEP\(6\)/);
    expect((error as Error).message).toMatch(/left unblocked/);
    expect(elapsed).toBeLessThan(4000);
    // A writer commits at once: no lock request is left queued.
    const w = await connect(uri, db.name);
    const t0 = performance.now();
    await w.query('INSERT INTO busy (v) VALUES (1)');
    expect(performance.now() - t0).toBeLessThan(500);
    await w.end();
    await running;
  });

  it('with --kill-long-queries kills the blocker and completes', async () => {
    const running = startBlocker();
    await new Promise((r) => setTimeout(r, 1300));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-guard-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const manifest = await dump({ source: uri, outDir: dir, databases: [db.name], lockWaitTimeout: 1, killLongQueries: 1 });
    await running;
    expect(manifest.warnings.find((w) => w.code === 'QUERY_KILLED')?.message).toMatch(/UPDATE slow/);
    expect(manifest.totals.tables).toBe(2);
    expect(manifest.consistency.consistent).toBe(true);
  });
});


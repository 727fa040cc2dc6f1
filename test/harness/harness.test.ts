import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { startThrowawayServer } from '@/lib/sandbox/throwaway-server';
import { createChunkTable } from '../fixtures/generate';
import { bankTotal, checksumTables, connect, createBankFixture, createTestDatabase, runSqlFile, startMoneyWriter, tableDefinitions, type TestDatabase } from './db';

const uri = inject('mariadbUri');
const fixture = fileURLToPath(new URL('../fixtures/every-type.sql', import.meta.url));

async function scalar(db: string | undefined, sql: string): Promise<unknown> {
  const c = await connect(uri, db);
  try {
    const [rows] = await c.query<import('mysql2').RowDataPacket[]>(sql);
    return Object.values(rows[0] ?? {})[0];
  } finally {
    await c.end();
  }
}

describe('injected throwaway server', () => {
  test('has the binlog on, a server id and ROW format', async () => {
    const c = await connect(uri);
    try {
      const [rows] = await c.query<import('mysql2').RowDataPacket[]>(
        'SELECT @@log_bin AS log_bin, @@server_id AS server_id, @@binlog_format AS fmt, @@port AS port',
      );
      expect(rows[0]).toMatchObject({ log_bin: 1, fmt: 'ROW' });
      expect(Number(rows[0]?.server_id)).toBeGreaterThan(0);
      expect(uri).toBe(`mysql://root@127.0.0.1:${rows[0]?.port}`);
      expect(rows[0]?.port).not.toBe(3306);
    } finally {
      await c.end();
    }
  });
});

describe('every-type fixture', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'paradump-harness-'));
    a = await createTestDatabase(uri, 't_fx');
    b = await createTestDatabase(uri, 't_fx');
    await runSqlFile(uri, a.name, fixture);
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
    await rm(work, { recursive: true, force: true });
  });

  test('loads cleanly, with every object kind', async () => {
    const sums = await checksumTables(uri, a.name);
    expect(Object.keys(sums)).toEqual(
      expect.arrayContaining(['t_int', 't_num', 't_str', 't_bin', 't_time', 't_misc', 't_no_key', 'we`ird/ná.me "x"', 'MixedCase', 'mixedcase']),
    );
    for (const [table, sum] of Object.entries(sums)) expect(sum, table).not.toBeNull();
    expect(await scalar(a.name, 'SELECT COUNT(*) FROM t_sparse')).toBe(1998);
    expect(await scalar(a.name, 'SELECT MAX(id) FROM t_ubig')).toBe('18446744073709551615');
    expect(await scalar(a.name, 'SELECT COUNT(*) FROM t_audit')).toBe(10);

    const defs = await tableDefinitions(uri, a.name);
    expect(Object.keys(defs.views).sort()).toEqual(['v weird "view"', 'v_func', 'v_int_small', 'v_over_view']);
    expect(Object.keys(defs.triggers).sort()).toEqual(['trg_orders_ai', 'trg_orders_ai2', 'trg_orders_bu']);
    expect(Object.keys(defs.procedures)).toEqual(['p_count_orders']);
    expect(Object.keys(defs.functions).sort()).toEqual(['f_double', 'f_label']);
    expect(Object.keys(defs.events)).toEqual(['ev_purge_audit']);
    expect(defs.functions.f_label).toContain('PIPES_AS_CONCAT');
    expect(defs.tables.t_autoinc).toContain('AUTO_INCREMENT=11');
    expect(defs.database).toContain('CREATE DATABASE `DB`');
    expect(JSON.stringify(defs)).not.toContain(a.name);
  });

  test('loads identically from .gz and .zst, and the helpers see no difference between the copies', async () => {
    const gz = join(work, 'every-type.sql.gz');
    await pipeline(createReadStream(fixture), createGzip(), createWriteStream(gz));
    const zst = join(work, 'every-type.sql.zst');
    expect(spawnSync('zstd', ['-q', '-3', fixture, '-o', zst]).status).toBe(0);

    await runSqlFile(uri, b.name, gz);
    expect(await checksumTables(uri, b.name)).toEqual(await checksumTables(uri, a.name));
    expect(await tableDefinitions(uri, b.name)).toEqual(await tableDefinitions(uri, a.name));

    const c = await createTestDatabase(uri, 't_fxz');
    try {
      await runSqlFile(uri, c.name, zst);
      expect(await checksumTables(uri, c.name)).toEqual(await checksumTables(uri, a.name));
    } finally {
      await c.drop();
    }
  });

  test('checksums notice a one-byte change', async () => {
    const before = await checksumTables(uri, b.name);
    const conn = await connect(uri, b.name);
    try {
      await conn.query("UPDATE t_bin SET vb = CONCAT(LEFT(vb, 299), X'FE') WHERE id = 1");
    } finally {
      await conn.end();
    }
    const after = await checksumTables(uri, b.name);
    expect(after.t_bin).not.toBe(before.t_bin);
    expect({ ...after, t_bin: null }).toEqual({ ...before, t_bin: null });
  });

  test('runSqlFile reports the client error', async () => {
    const bad = join(work, 'bad.sql');
    await writeFile(bad, 'SELECT 1;\nTHIS IS NOT SQL;\n');
    await expect(runSqlFile(uri, b.name, bad)).rejects.toThrow(/ERROR 1064/);
    await expect(runSqlFile(uri, b.name, join(work, 'missing.sql'))).rejects.toThrow(/ENOENT/);
  });
});

describe('bank and money writer', () => {
  test('moves money across databases and keeps the total', async () => {
    const dbA = await createTestDatabase(uri, 't_bank_a');
    const dbB = await createTestDatabase(uri, 't_bank_b');
    try {
      await createBankFixture(uri, { dbA: dbA.name, dbB: dbB.name, rowsEach: 50, total: 1_000_003 });
      expect(await bankTotal(uri, { dbA: dbA.name, dbB: dbB.name })).toBe(1_000_003);
      const writer = await startMoneyWriter({ uri, dbA: dbA.name, dbB: dbB.name, txPerSecond: 150 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await bankTotal(uri, { dbA: dbA.name, dbB: dbB.name })).toBe(1_000_003);
      const committed = await writer.stop();
      expect(committed).toBeGreaterThan(50);
      expect(committed).toBeLessThan(400); // paced
      expect(await bankTotal(uri, { dbA: dbA.name, dbB: dbB.name })).toBe(1_000_003);
      const moves = Number(await scalar(undefined, `SELECT (SELECT SUM(moves) FROM \`${dbA.name}\`.acct) + (SELECT SUM(moves) FROM \`${dbB.name}\`.acct)`));
      expect(moves).toBe(committed * 2);
    } finally {
      await dbA.drop();
      await dbB.drop();
    }
  });
});

describe('generator', () => {
  test('fills 50k rows in a few seconds', async () => {
    const db = await createTestDatabase(uri, 't_gen');
    try {
      const t0 = Date.now();
      await createChunkTable({ uri, db: db.name, table: 'sb', rows: 50_000 });
      const ms = Date.now() - t0;
      expect(await scalar(db.name, 'SELECT COUNT(*) FROM sb')).toBe(50_000);
      expect(ms).toBeLessThan(20_000);
      for (const key of ['bigint-unsigned', 'varchar', 'composite', 'unique', 'none'] as const) {
        await createChunkTable({ uri, db: db.name, table: `sb_${key.replace('-', '_')}`, rows: 2000, key, gap: 3 });
        expect(await scalar(db.name, `SELECT COUNT(*) FROM sb_${key.replace('-', '_')}`)).toBe(2000);
      }
      expect(await scalar(db.name, 'SELECT MAX(id) > 9223372036854775807 FROM sb_bigint_unsigned')).toBe(1);
    } finally {
      await db.drop();
    }
  });
});

describe('a second throwaway server', () => {
  test('starts, survives kill -9 with restart, and stops cleanly', async () => {
    const server = await startThrowawayServer({ serverId: 2 });
    try {
      expect(server.uri).not.toBe(uri);
      const id = async () => {
        const c = await connect(server.uri);
        try {
          const [rows] = await c.query<import('mysql2').RowDataPacket[]>('SELECT @@server_id AS id');
          return Number(rows[0]?.id);
        } finally {
          await c.end();
        }
      };
      expect(await id()).toBe(2);

      const firstPid = server.pid;
      await server.kill9();
      expect(() => process.kill(firstPid, 0)).toThrow();
      await server.restart();
      expect(server.pid).not.toBe(firstPid);
      expect(await id()).toBe(2);
    } finally {
      const pid = server.pid;
      await server.stop();
      expect(() => process.kill(pid, 0)).toThrow();
      expect(existsSync(server.dir)).toBe(false);
    }
  });
});

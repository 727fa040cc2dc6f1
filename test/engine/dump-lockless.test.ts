import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import type { DumpEvent } from '../../lib/engine/events.ts';
import { openLocklessSnapshots } from '../../lib/engine/open-lockless.ts';
import { isParadumpError } from '../../lib/core/errors.ts';
import { Session } from '../../lib/mysql/session.ts';
import { parseServerUri } from '../../lib/mysql/uri.ts';
import { bankTotal, connect, createBankFixture, createTestDatabase, startMoneyWriter, uniqueName } from '../harness/db.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');
const user = uniqueName('nolock').slice(0, 30);
const password = 'lockless pw 7';
let limited: string;
const dbA = uniqueName('ll_a');
const dbB = uniqueName('ll_b');
let total = 0;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ total } = await createBankFixture(uri, { dbA, dbB, rowsEach: 3000, total: 30_000_000 }));
  const c = await connect(uri);
  // What a managed service grants a backup account: reading, and the binlog position; no RELOAD.
  await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await c.query(`GRANT SELECT, SHOW VIEW, REPLICATION CLIENT ON *.* TO '${user}'@'%'`);
  await c.end();
  const u = new URL(uri);
  u.username = user;
  u.password = encodeURIComponent(password);
  limited = u.toString();
  cleanup.push(async () => {
    const d = await connect(uri);
    await d.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await d.query(`DROP DATABASE IF EXISTS \`${dbA}\``);
    await d.query(`DROP DATABASE IF EXISTS \`${dbB}\``);
    await d.end();
  });
});

afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe('consistency without RELOAD', () => {
  it('refuses --lock snapshot for the account, naming RELOAD', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-ll-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const error = await dump({ source: limited, outDir: path.join(dir, 'x'), databases: [dbA, dbB], lock: 'snapshot' }).catch((e: unknown) => e);
    expect(isParadumpError(error, 'MISSING_PRIVILEGES')).toBe(true);
    expect((error as { details: { missing: string[] } }).details.missing).toContain('RELOAD');
  });

  it('--lock auto falls back to lockless; under a writer each dump is consistent (totals hold) or says why not', async () => {
    const writer = await startMoneyWriter({ uri, dbA, dbB, concurrency: 2, txPerSecond: 300 });
    const verdicts: string[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-ll-'));
        cleanup.push(() => rm(dir, { recursive: true, force: true }));
        const events: DumpEvent[] = [];
        const manifest = await dump({ source: limited, outDir: dir, databases: [dbA, dbB], threads: 3, chunkRows: 500, lock: 'auto' }, { onEvent: (e) => events.push(e) });
        expect(manifest.options.lock).toBe('lockless');
        expect(manifest.locks).toHaveLength(0);
        expect(events.some((e) => e.type === 'warning' && e.code === 'LOCKLESS_FALLBACK')).toBe(true);
        expect(manifest.consistency).toMatchObject({ mode: 'lockless', method: 'snapshot-position' });
        verdicts.push(`${manifest.consistency.consistent} after ${manifest.consistency.snapshots[0]?.verdict?.attempts} attempt(s)`);
        if (manifest.consistency.consistent) {
          expect(manifest.consistency.reason).toBeNull();
          expect(manifest.consistency.binlog?.file).toMatch(/^binlog\.\d+$/);
          const ta = await createTestDatabase(uri, 'll_ra');
          const tb = await createTestDatabase(uri, 'll_rb');
          cleanup.push(ta.drop, tb.drop);
          await loadDumpWithClient({ uri, dir, manifest, source: dbA, target: ta.name });
          await loadDumpWithClient({ uri, dir, manifest, source: dbB, target: tb.name });
          expect(await bankTotal(uri, { dbA: ta.name, dbB: tb.name })).toBe(total);
        } else {
          expect(manifest.consistency.reason).toMatch(/commits landed while the snapshots opened/);
          expect(events.some((e) => e.type === 'warning' && e.code === 'NOT_CONSISTENT')).toBe(true);
        }
      }
    } finally {
      await writer.stop();
    }
    console.log(`lockless verdicts under 300 tx/s: ${verdicts.join(', ')}`);
  });

  it('a lockless dump that reads a non-transactional table says it is not consistent, naming it', async () => {
    const db = await createTestDatabase(uri, 'll_myisam');
    cleanup.push(db.drop);
    const c = await connect(uri, db.name);
    await c.query('CREATE TABLE flat (id INT PRIMARY KEY, v INT) ENGINE=MyISAM');
    await c.query('INSERT INTO flat VALUES (1, 1), (2, 2)');
    await c.end();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-ll-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const manifest = await dump({ source: uri, outDir: dir, databases: [db.name], lock: 'lockless' });
    expect(manifest.consistency).toMatchObject({ mode: 'lockless', consistent: false, consistentWithin: 'none', method: 'snapshot-position' });
    expect(manifest.consistency.reason).toBe(`non-transactional tables were read without a lock (\`${db.name}\`.\`flat\`)`);
    expect(manifest.totals.rows).toBe(2);
  });

  it('retries when a commit falls between the snapshots, and says consistent: false with the reason when it keeps happening', async () => {
    const address = parseServerUri(limited);
    const control = await Session.open(address);
    const workers = await Promise.all([Session.open(address), Session.open(address), Session.open(address)]);
    const writer = await connect(uri, dbA);
    let interfere = 0;
    // Worker 1 opens its snapshot only after a commit: the snapshots are not one point in time.
    const meddled = workers.map((w, i) =>
      i !== 1
        ? w
        : (new Proxy(w, {
            get(target, prop, receiver) {
              if (prop !== 'exec') return Reflect.get(target, prop, receiver) as unknown;
              return async (sql: string) => {
                if (sql === target.sql.startSnapshot && interfere > 0) {
                  interfere--;
                  await writer.query('UPDATE acct SET balance = balance WHERE id = 1');
                  await writer.query('UPDATE acct SET balance = balance + 1 WHERE id = 1');
                  await writer.query('UPDATE acct SET balance = balance - 1 WHERE id = 1');
                }
                return target.exec(sql);
              };
            },
          }) as Session),
    );
    try {
      interfere = 1;
      const once = await openLocklessSnapshots({ control, workers: meddled, attempts: 3 });
      expect(once.verdict).toMatchObject({ consistent: true, method: 'snapshot-position', attempts: 2, reason: null });
      await Promise.all(workers.map((w) => w.exec('COMMIT')));

      interfere = 3;
      const always = await openLocklessSnapshots({ control, workers: meddled, attempts: 3 });
      expect(always.verdict).toMatchObject({ consistent: false, method: 'snapshot-position', attempts: 3 });
      expect(always.verdict.reason).toMatch(/commits landed while the snapshots opened in each of 3 attempts \(last: the workers' snapshots saw binlog positions from binlog\.\d+:\d+ to binlog\.\d+:\d+\)/);
      await Promise.all(workers.map((w) => w.exec('COMMIT')));
    } finally {
      await writer.end();
      await Promise.all([control, ...workers].map((s) => s.close()));
    }
  });
});

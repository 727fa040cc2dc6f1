import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import type { DumpEvent } from '../../lib/engine/events.ts';
import { bankTotal, createBankFixture, createTestDatabase, startMoneyWriter, uniqueName } from '../harness/db.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');

describe('snapshot consistency under a cross-database writer', () => {
  const dbA = uniqueName('bank_a');
  const dbB = uniqueName('bank_b');
  const cleanup: (() => Promise<void>)[] = [];
  let total = 0;

  beforeAll(async () => {
    ({ total } = await createBankFixture(uri, { dbA, dbB, rowsEach: 3000, total: 30_000_000 }));
    cleanup.push(async () => {
      const { connect } = await import('../harness/db.ts');
      const c = await connect(uri);
      await c.query(`DROP DATABASE IF EXISTS \`${dbA}\``);
      await c.query(`DROP DATABASE IF EXISTS \`${dbB}\``);
      await c.end();
    });
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('every dump taken while money moves holds the exact total, across tables, databases and workers', async () => {
    const writer = await startMoneyWriter({ uri, dbA, dbB, concurrency: 2, txPerSecond: 300 });
    const rounds = 6;
    try {
      for (let round = 0; round < rounds; round++) {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-bank-'));
        cleanup.push(() => rm(dir, { recursive: true, force: true }));
        const events: DumpEvent[] = [];
        const committedBefore = writer.committed;
        const manifest = await dump(
          { source: uri, outDir: dir, databases: [dbA, dbB], threads: 3, chunkRows: 500 },
          { onEvent: (e) => events.push(e) },
        );
        expect(manifest.consistency).toMatchObject({ mode: 'snapshot', consistent: true });
        expect(manifest.consistency.binlog?.file).toMatch(/^binlog\.\d+$/);
        expect(manifest.consistency.gtid).toMatch(/^\d+-\d+-\d+/);
        expect(manifest.tables.every((t) => t.chunks.length === 6)).toBe(true);

        // The global lock: one instance lock, held only around the snapshot opening.
        expect(manifest.locks).toHaveLength(1);
        const [lock] = manifest.locks;
        expect(lock).toMatchObject({ scope: 'instance', statement: 'BACKUP STAGE START; BACKUP STAGE BLOCK_COMMIT' });
        expect(lock!.waitMs).toBeGreaterThanOrEqual(0);
        expect(lock!.holdMs).toBeGreaterThanOrEqual(0);
        expect(lock!.holdMs).toBeLessThan(1_000);
        const released = events.findIndex((e) => e.type === 'lock-released');
        const firstChunk = events.findIndex((e) => e.type === 'chunk-started');
        expect(released).toBeGreaterThan(-1);
        expect(firstChunk).toBeGreaterThan(released);

        const ta = await createTestDatabase(uri, 'bank_ra');
        const tb = await createTestDatabase(uri, 'bank_rb');
        cleanup.push(ta.drop, tb.drop);
        await loadDumpWithClient({ uri, dir, manifest, source: dbA, target: ta.name });
        await loadDumpWithClient({ uri, dir, manifest, source: dbB, target: tb.name });
        expect(await bankTotal(uri, { dbA: ta.name, dbB: tb.name })).toBe(total);
        // The writer really was committing while this dump ran.
        expect(writer.committed).toBeGreaterThan(committedBefore);
      }
    } finally {
      await writer.stop();
    }
    expect(await bankTotal(uri, { dbA, dbB })).toBe(total);
  });
});

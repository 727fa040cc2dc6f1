import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { checksumTables, connect, createTestDatabase } from '../harness/db.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');

describe('tables that disappear during a dump', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('records a table dropped after discovery and one dropped after planning as skipped; the rest round-trips', async () => {
    const src = await createTestDatabase(uri, 'race_src');
    cleanup.push(src.drop);
    for (const table of ['keep_a', 'gone_early', 'gone_late', 'keep_b']) {
      await createChunkTable({ uri, db: src.name, table, rows: 2000, key: 'int' });
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-race-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const c = await connect(uri);
    cleanup.push(() => c.end());

    const manifest = await dump(
      { source: uri, outDir: dir, databases: [src.name], threads: 2, chunkRows: 500 },
      {
        hooks: {
          afterDiscovery: async () => {
            await c.query(`DROP TABLE \`${src.name}\`.gone_early`);
          },
          afterPlanning: async () => {
            await c.query(`DROP TABLE \`${src.name}\`.gone_late`);
          },
        },
      },
    );

    const byName = Object.fromEntries(manifest.tables.map((t) => [t.table, t]));
    expect(byName['gone_early']!.skipped).toMatchObject({ code: 'TABLE_DROPPED' });
    expect(byName['gone_early']!.skipped!.reason).toMatch(/doesn't exist/);
    expect(byName['gone_late']!.skipped).toMatchObject({ code: 'TABLE_DROPPED' });
    expect(byName['gone_late']!.chunks).toEqual([]);
    expect(manifest.totals).toMatchObject({ tables: 2, skippedTables: 2, rows: 4000 });
    expect(manifest.warnings.filter((w) => w.code === 'TABLE_DROPPED').map((w) => w.table).sort()).toEqual(['gone_early', 'gone_late']);
    // No data file of a skipped table is left to be mistaken for part of the dump.
    const files = await readdir(path.join(dir, 'data', src.name));
    expect(files.filter((f) => f.startsWith('gone_'))).toEqual([]);

    const dst = await createTestDatabase(uri, 'race_dst');
    cleanup.push(dst.drop);
    await loadDumpWithClient({ uri, dir, manifest, source: src.name, target: dst.name });
    expect(await checksumTables(uri, dst.name)).toEqual(await checksumTables(uri, src.name));
  });

  it('re-plans a table altered after discovery (column added, key changed) and round-trips it', async () => {
    const src = await createTestDatabase(uri, 'alter_src');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 'widened', rows: 1200 });
    await createChunkTable({ uri, db: src.name, table: 'rekeyed', rows: 900, key: 'none' });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-alter-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const c = await connect(uri, src.name);
    cleanup.push(() => c.end());
    for (const lock of ['snapshot', 'per-table'] as const) {
      const out = path.join(dir, lock);
      const manifest = await dump(
        { source: uri, outDir: out, databases: [src.name], chunkRows: 400, lock },
        {
          hooks: {
            afterPlanning: async () => {
              await c.query(`ALTER TABLE widened ADD COLUMN note VARCHAR(20) NOT NULL DEFAULT 'added-${lock}'`);
              await c.query(`ALTER TABLE rekeyed ADD COLUMN rid INT NOT NULL AUTO_INCREMENT PRIMARY KEY`);
            },
          },
        },
      );
      const byName = Object.fromEntries(manifest.tables.map((t) => [t.table, t]));
      expect(byName['widened']!.columns).toContain('note');
      expect(byName['rekeyed']!.chunkKey).toEqual(['rid']);
      expect(byName['rekeyed']!.chunks).toHaveLength(3);
      expect(manifest.warnings.filter((w) => w.code === 'TABLE_REPLANNED').map((w) => w.table).sort()).toEqual(['rekeyed', 'widened']);
      const dst = await createTestDatabase(uri, 'alter_dst');
      cleanup.push(dst.drop);
      await loadDumpWithClient({ uri, dir: out, manifest, source: src.name, target: dst.name });
      expect(await checksumTables(uri, dst.name)).toEqual(await checksumTables(uri, src.name));
      await c.query('ALTER TABLE widened DROP COLUMN note; ALTER TABLE rekeyed DROP COLUMN rid');
    }
  });

  it('per-db: a database dropped before its lock set is reported, the other set completes', async () => {
    const a = await createTestDatabase(uri, 'dropdb_a');
    const b = await createTestDatabase(uri, 'dropdb_b');
    cleanup.push(a.drop, b.drop);
    await createChunkTable({ uri, db: a.name, table: 't', rows: 500 });
    await createChunkTable({ uri, db: b.name, table: 't', rows: 500 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-dropdb-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const manifest = await dump(
      { source: uri, outDir: dir, databases: [a.name, b.name], lock: 'per-db', chunkRows: 200 },
      { hooks: { afterPlanning: () => b.drop() } },
    );
    const byDb = Object.fromEntries(manifest.tables.map((t) => [t.database, t]));
    expect(byDb[a.name]!.rows).toBe(500);
    expect(byDb[b.name]!.skipped).toMatchObject({ code: 'TABLE_DROPPED' });
    expect(manifest.locks.filter((l) => l.acquiredAt !== null).map((l) => l.target)).toEqual([a.name]);
    // The attempt on the dropped database is on record too: requested, never acquired, no hold.
    expect(manifest.locks.find((l) => l.target === b.name)).toMatchObject({ acquiredAt: null, holdMs: null });
  });
});

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
});

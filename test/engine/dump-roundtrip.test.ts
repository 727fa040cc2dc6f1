import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { Manifest } from '../../lib/core/manifest.ts';
import { rangeCondition } from '../../lib/core/range-sql.ts';
import { qualified } from '../../lib/core/sql-names.ts';
import { checksumTables, connect, createTestDatabase, runSqlFile, tableDefinitions, type TestDatabase } from '../harness/db.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');
const fixture = path.resolve('test/fixtures/every-type.sql');

describe('dump round trip of every type, key shape and object kind', () => {
  let src: TestDatabase;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    src = await createTestDatabase(uri, 'rt_src');
    cleanup.push(src.drop);
    await runSqlFile(uri, src.name, fixture);
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  for (const compress of ['zstd', 'gzip', 'none'] as const) {
    it(`loads back identical (${compress}): CHECKSUM TABLE and definitions`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-rt-'));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      // Small chunks so composite, string, sparse and extreme keys are really split.
      const manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 3, chunkRows: 7, compress, statementBytes: 4096 });
      const onDisk = Manifest.parse(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
      expect(onDisk).toEqual(manifest);
      expect(manifest.warnings).toEqual([]);

      const dst = await createTestDatabase(uri, 'rt_dst');
      cleanup.push(dst.drop);
      await loadDumpWithClient({ uri, dir, manifest, source: src.name, target: dst.name });

      expect(await checksumTables(uri, dst.name)).toEqual(await checksumTables(uri, src.name));
      const [a, b] = [await tableDefinitions(uri, src.name), await tableDefinitions(uri, dst.name)];
      expect(b.tables).toEqual(a.tables);
      expect(b.sequences).toEqual(a.sequences);
      expect(b.views).toEqual(a.views);
      expect(b.triggers).toEqual(a.triggers);
      expect(b.procedures).toEqual(a.procedures);
      expect(b.functions).toEqual(a.functions);
      expect(b.events).toEqual(a.events);
      expect(Object.keys(a.views).length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(a.triggers).length).toBeGreaterThanOrEqual(1);
      expect(Object.keys(a.events).length).toBeGreaterThanOrEqual(1);
    });
  }

  it('chunks cover every table exactly: contiguous ranges, counts sum to COUNT(*), no overlap', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-cov-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const chunkRows = 5;
    const manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 2, chunkRows });
    const c = await connect(uri);
    try {
      let multiChunk = 0;
      for (const t of manifest.tables) {
        const [[{ n }]] = (await c.query(`SELECT COUNT(*) AS n FROM ${qualified(t.database, t.table)}`)) as unknown as [[{ n: number }]];
        expect(t.chunks.length).toBeGreaterThan(0);
        expect(t.chunks[0]!.lower).toBeNull();
        expect(t.chunks.at(-1)!.upper).toBeNull();
        for (let i = 1; i < t.chunks.length; i++) expect(t.chunks[i]!.lower).toEqual(t.chunks[i - 1]!.upper);
        expect(t.chunks.reduce((s, ch) => s + ch.rows, 0)).toBe(Number(n));
        if (t.chunkKey.length === 0) {
          expect(t.chunks).toHaveLength(1);
          continue;
        }
        if (t.chunks.length > 1) multiChunk++;
        // Each range, counted independently on the server, holds exactly the chunk's rows: with
        // contiguous ranges and a matching total, no row can be in two chunks or in none.
        let counted = 0;
        for (const ch of t.chunks) {
          const where = rangeCondition(t.chunkKeyColumns, ch.lower, ch.upper);
          const [[{ k }]] = (await c.query(`SELECT COUNT(*) AS k FROM ${qualified(t.database, t.table)} WHERE ${where}`)) as unknown as [[{ k: number }]];
          expect(Number(k)).toBe(ch.rows);
          counted += Number(k);
        }
        expect(counted).toBe(Number(n));
        // Exact boundaries: every chunk but the last holds exactly chunkRows rows.
        for (const ch of t.chunks.slice(0, -1)) expect(ch.rows).toBe(chunkRows);
      }
      expect(multiChunk).toBeGreaterThanOrEqual(5);
    } finally {
      await c.end();
    }
  });
});

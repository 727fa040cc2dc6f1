import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import type { ParadumpError } from '../../lib/core/errors.ts';
import type { Manifest, TableRecord } from '../../lib/core/manifest.ts';
import type { RestoreEvent } from '../../lib/restore/events.ts';
import { restore } from '../../lib/restore/restore.ts';
import { SqlToTsv } from '../../lib/restore/sql-to-tsv.ts';
import { verify } from '../../lib/restore/verify.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { checksumTables, connect, createTestDatabase, quoteIdent, runSqlFile, tableDefinitions, type TestDatabase } from '../harness/db.ts';
import { runCli } from './run-cli.ts';

const uri = inject('mariadbUri');
const fixture = path.resolve('test/fixtures/every-type.sql');
const KINDS = ['tables', 'sequences', 'views', 'triggers', 'procedures', 'functions', 'events'] as const;

async function exec(u: string, sql: string): Promise<unknown> {
  const c = await connect(u);
  try {
    const [rows] = await c.query(sql);
    return rows;
  } finally {
    await c.end();
  }
}

async function databaseExists(u: string, db: string): Promise<boolean> {
  const rows = (await exec(u, `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${db}'`)) as unknown[];
  return rows.length > 0;
}

/** The chunk of `table` whose range holds integer key `id`. */
function chunkOf(table: TableRecord, id: number) {
  return table.chunks.find((c) => (c.lower === null || Number(c.lower[0]) <= id) && (c.upper === null || id < Number(c.upper[0])))!;
}

describe('restore: round trip, verify, refusals and partial restores', () => {
  let src: TestDatabase;
  let target: ThrowawayServer;
  const dumps = {} as Record<'zstd' | 'gzip' | 'none' | 'tsv-none' | 'tsv-zstd', { dir: string; manifest: Manifest }>;
  const cleanup: (() => Promise<void>)[] = [];
  let tmp: string;

  beforeAll(async () => {
    target = await startThrowawayServer({ serverId: 2 });
    cleanup.push(() => target.stop());
    src = await createTestDatabase(uri, 'rs_src');
    cleanup.push(src.drop);
    await runSqlFile(uri, src.name, fixture);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paradump-restore-'));
    cleanup.push(() => rm(tmp, { recursive: true, force: true }));
    for (const compress of ['zstd', 'gzip', 'none'] as const) {
      const dir = path.join(tmp, compress);
      // Small chunks and statements: composite, string, sparse and extreme keys are really split,
      // and chunks hold several INSERTs.
      const manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 3, chunkRows: 7, compress, statementBytes: 4096 });
      dumps[compress] = { dir, manifest };
    }
    for (const compress of ['none', 'zstd'] as const) {
      const dir = path.join(tmp, `tsv-${compress}`);
      const manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 3, chunkRows: 7, compress, format: 'tsv' });
      dumps[`tsv-${compress}`] = { dir, manifest };
    }
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  const expectIdentical = async (targetDb: string) => {
    expect(await checksumTables(target.uri, targetDb)).toEqual(await checksumTables(uri, src.name));
    const [a, b] = [await tableDefinitions(uri, src.name), await tableDefinitions(target.uri, targetDb)];
    for (const kind of KINDS) expect(b[kind], kind).toEqual(a[kind]);
    expect(b.database).toEqual(a.database);
  };

  /**
   * After `DELETE id in [120, 140)`, `v = 'outside'` for 118 and 141, and a restore of [120, 140):
   * the range is back, the rows just outside it kept their edit.
   */
  const expectRangeReplaced = async (table: string): Promise<void> => {
    const rows = (await exec(target.uri, `SELECT id, v FROM ${table} WHERE id IN (118, 119, 120, 139, 140, 141) ORDER BY id`)) as { id: number; v: string }[];
    expect(rows.map((x) => [Number(x.id), x.v])).toEqual([
      [118, 'outside'],
      [119, 'dense-20'],
      [120, 'dense-21'],
      [139, 'dense-40'],
      [140, 'dense-41'],
      [141, 'outside'],
    ]);
  };

  // SQL dumps load as LOAD DATA by default (the target allows local_infile), or as their INSERTs.
  const cases = [
    { compress: 'zstd', rename: false, deferIndexes: false, threads: 4, loadMethod: 'auto', loads: 'load-data' },
    { compress: 'gzip', rename: true, deferIndexes: false, threads: 2, loadMethod: 'insert', loads: 'insert' },
    { compress: 'none', rename: true, deferIndexes: true, threads: 3, loadMethod: 'load-data', loads: 'load-data' },
    { compress: 'tsv-none', rename: true, deferIndexes: true, threads: 3, loadMethod: 'auto', loads: 'load-data' },
    { compress: 'tsv-zstd', rename: true, deferIndexes: false, threads: 2, loadMethod: 'auto', loads: 'load-data' },
  ] as const;
  for (const c of cases) {
    it(`restores every type, key shape and object kind identically into a second server (${c.compress}, ${c.loads}${c.rename ? ', renamed' : ''}${c.deferIndexes ? ', deferred indexes' : ''})`, async () => {
      const { dir, manifest } = dumps[c.compress];
      const targetDb = c.rename ? `${src.name}_${c.compress}` : src.name;
      const events: RestoreEvent[] = [];
      const result = await restore(
        { from: dir, target: target.uri, rename: c.rename ? { [src.name]: targetDb } : {}, threads: c.threads, deferIndexes: c.deferIndexes, loadMethod: c.loadMethod },
        { onEvent: (e) => events.push(e) },
      );
      expect(events.find((e) => e.type === 'run-started')).toMatchObject({ loadMethod: c.loads });
      expect(result.chunks).toBe(manifest.totals.chunks);
      expect(result.rows).toBe(manifest.totals.rows);
      expect(result.objects).toBe(manifest.databases[0]!.objects.length);
      expect(events.filter((e) => e.type === 'chunk-finished')).toHaveLength(manifest.totals.chunks);
      expect(events[0]!.type).toBe('run-started');
      expect(events.at(-1)!.type).toBe('run-finished');
      // Triggers are created after every row is in (or t_audit would double).
      const lastChunk = events.findLastIndex((e) => e.type === 'chunk-finished');
      expect(events.findIndex((e) => e.type === 'object-created' && e.objectType === 'trigger')).toBeGreaterThan(lastChunk);
      if (c.deferIndexes) {
        const deferred = events.flatMap((e) => (e.type === 'table-created' ? [e.deferredIndexes] : [])).reduce((a, b) => a + b, 0);
        expect(deferred).toBeGreaterThanOrEqual(3);
        expect(events.filter((e) => e.type === 'indexes-added').length).toBeGreaterThanOrEqual(2);
      }
      await expectIdentical(targetDb);
      {
        // Whichever way the rows went in, they hash back to the dump's content hashes.
        const report = await verify({ from: dir, target: target.uri, rename: c.rename ? { [src.name]: targetDb } : {} });
        expect(report.ok).toBe(true);
        expect(report.chunks).toBe(manifest.totals.chunks);
      }
    });
  }

  it('rewrites every SQL data file into exactly the bytes the tsv dump wrote for the same chunk (every type)', async () => {
    const sql = dumps.none.manifest;
    const tsv = dumps['tsv-none'].manifest;
    let compared = 0;
    for (const table of sql.tables) {
      const other = tsv.tables.find((t) => t.table === table.table)!;
      expect(table.columnEncodings).toEqual(other.columnEncodings);
      for (const chunk of table.chunks) {
        const twin = other.chunks.find((c) => c.index === chunk.index)!;
        expect(twin.lower).toEqual(chunk.lower);
        const out: Buffer[] = [];
        const rewriter = new SqlToTsv(table, chunk);
        await pipeline(createReadStream(path.join(dumps.none.dir, chunk.file)), rewriter, new Writable({ write: (b: Buffer, _e, done) => (out.push(b), done()) }));
        expect(rewriter.rows).toBe(chunk.rows);
        expect(Buffer.concat(out).equals(await readFile(path.join(dumps['tsv-none'].dir, twin.file))), `${table.table} chunk ${chunk.index}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(sql.totals.chunks);
  });

  it('writes dumps as version 5 (xxh3-128 content hashes), tsv with every column\'s encoding; same rows, same content hash whatever the compression', async () => {
    const { manifest } = dumps['tsv-none'];
    expect(manifest.version).toBe(5);
    expect(manifest.options.format).toBe('tsv');
    expect(dumps.none.manifest.version).toBe(5);
    for (const t of manifest.tables) {
      expect(t.columnEncodings?.map((c) => c.name)).toEqual(t.columns);
      for (const c of t.chunks) {
        expect(c.file).toMatch(/\.tsv$/);
        expect(c.contentXxh3).toMatch(/^[0-9a-f]{32}$/);
        expect(c.contentSha256).toBeUndefined();
      }
    }
    // Same rows, other compression: same content hashes.
    const zstd = dumps['tsv-zstd'].manifest;
    // (sorted: tables that differ only in case may be listed in either order)
    const hashes = (m: Manifest) => m.tables.flatMap((t) => t.chunks.map((c) => `${t.table}/${c.index}/${c.contentXxh3}`)).sort();
    expect(hashes(zstd)).toEqual(hashes(manifest));
    expect(zstd.tables.flatMap((t) => t.chunks.map((c) => c.file)).every((f) => f.endsWith('.tsv.zst'))).toBe(true);
    expect(hashes(dumps.gzip.manifest)).toEqual(hashes(dumps.none.manifest));
  });

  it('verify of an old dump (version 2: sha256 content hashes) uses sha256, and still names a changed chunk', async () => {
    // Before version 5 an uncompressed tsv file's content hash was its own sha256: the old manifest, rebuilt.
    const old = path.join(tmp, 'tsv-none-v2');
    await cp(dumps['tsv-none'].dir, old, { recursive: true });
    const m = dumps['tsv-none'].manifest;
    const v2 = { ...m, version: 2, tables: m.tables.map((t) => ({ ...t, chunks: t.chunks.map(({ contentXxh3: _x, ...c }) => ({ ...c, contentSha256: c.sha256 })) })) };
    await writeFile(path.join(old, 'manifest.json'), JSON.stringify(v2, null, 2));
    const targetDb = `${src.name}_oldv2`;
    const rename = { [src.name]: targetDb };
    await restore({ from: old, target: target.uri, rename });
    expect((await verify({ from: old, target: target.uri, rename })).ok).toBe(true);
    await exec(target.uri, `UPDATE ${quoteIdent(targetDb)}.t_sparse SET v = 'changed' WHERE id = 150`);
    const bad = await verify({ from: old, target: target.uri, rename });
    const sparse = m.tables.find((t) => t.table === 't_sparse')!;
    expect(bad.tables.find((x) => x.table === 't_sparse')!.mismatched.map((x) => [x.index, x.reason])).toEqual([[chunkOf(sparse, 150).index, 'content']]);
  });

  it('tsv: refuses a target without LOAD DATA LOCAL before changing anything, and catches rows the server skipped', async () => {
    const { dir } = dumps['tsv-none'];
    const targetDb = `${src.name}_noinfile`;
    await exec(target.uri, 'SET GLOBAL local_infile = 0');
    try {
      const error = (await restore({ from: dir, target: target.uri, rename: { [src.name]: targetDb } }).catch((e: unknown) => e)) as ParadumpError;
      expect(error.code).toBe('LOCAL_INFILE_DISABLED');
      expect(error.message).toMatch(/local_infile/);
      expect(await databaseExists(target.uri, targetDb)).toBe(false);
      // A SQL dump asked to load as LOAD DATA is refused the same way; left to choose, it uses its INSERTs.
      const sqlRefused = (await restore({ from: dumps.none.dir, target: target.uri, rename: { [src.name]: targetDb }, loadMethod: 'load-data' }).catch((e: unknown) => e)) as ParadumpError;
      expect(sqlRefused.code).toBe('LOCAL_INFILE_DISABLED');
      expect(await databaseExists(target.uri, targetDb)).toBe(false);
      const events: RestoreEvent[] = [];
      const fellBack = await restore({ from: dumps.none.dir, target: target.uri, rename: { [src.name]: targetDb }, tables: [`${src.name}.t_sparse`] }, { onEvent: (e) => events.push(e) });
      expect(events.find((e) => e.type === 'run-started')).toMatchObject({ loadMethod: 'insert' });
      expect(fellBack.rows).toBe(dumps.none.manifest.tables.find((t) => t.table === 't_sparse')!.rows);
    } finally {
      await exec(target.uri, 'SET GLOBAL local_infile = 1');
    }
    // A tsv dump has no INSERTs to fall back on.
    const noInserts = (await restore({ from: dir, target: target.uri, rename: { [src.name]: `${src.name}_x` }, loadMethod: 'insert' }).catch((e: unknown) => e)) as ParadumpError;
    expect(noInserts.code).toBe('BAD_OPTION');
    expect(noInserts.message).toMatch(/holds no INSERTs/);

    // A SQL dump whose manifest predates column encodings: its INSERTs, or a clear refusal.
    const older = path.join(tmp, 'sql-older');
    await cp(dumps.none.dir, older, { recursive: true });
    const om = structuredClone(dumps.none.manifest);
    for (const t of om.tables) delete t.columnEncodings;
    await writeFile(path.join(older, 'manifest.json'), JSON.stringify(om));
    const olderEvents: RestoreEvent[] = [];
    await restore({ from: older, target: target.uri, rename: { [src.name]: `${src.name}_older` }, tables: [`${src.name}.t_sparse`] }, { onEvent: (e) => olderEvents.push(e) });
    expect(olderEvents.find((e) => e.type === 'run-started')).toMatchObject({ loadMethod: 'insert' });
    const olderRefused = (await restore({ from: older, target: target.uri, rename: { [src.name]: `${src.name}_older2` }, loadMethod: 'load-data' }).catch((e: unknown) => e)) as ParadumpError;
    expect(olderRefused.code).toBe('BAD_OPTION');
    expect(olderRefused.message).toMatch(/older paradump/);
    expect(await databaseExists(target.uri, `${src.name}_older2`)).toBe(false);

    // LOAD DATA LOCAL skips a duplicate key instead of failing: a file whose second row repeats the
    // first one's key (its manifest entry agreeing, as from a faulty writer) must still fail the
    // chunk, by its row count.
    const copy = path.join(tmp, 'tsv-dup');
    await cp(dir, copy, { recursive: true });
    const m = structuredClone(dumps['tsv-none'].manifest);
    const sparse = m.tables.find((t) => t.table === 't_sparse')!;
    const chunk = sparse.chunks.find((c) => c.rows >= 2)!;
    const file = path.join(copy, chunk.file);
    const lines = (await readFile(file)).toString('latin1').split('\n');
    lines[1] = lines[0]!;
    const changed = Buffer.from(lines.join('\n'), 'latin1');
    await writeFile(file, changed);
    Object.assign(chunk, { bytes: changed.length, sha256: createHash('sha256').update(changed).digest('hex') });
    await writeFile(path.join(copy, 'manifest.json'), JSON.stringify(m));
    const dupDb = `${src.name}_dup`;
    const dup = (await restore({ from: copy, target: target.uri, rename: { [src.name]: dupDb }, tables: [`${src.name}.t_sparse`] }).catch((e: unknown) => e)) as ParadumpError;
    expect(dup.code).toBe('MANIFEST_INVALID');
    expect(dup.message).toMatch(new RegExp(`${chunk.file.replace(/[.]/g, '\\.')} loaded ${chunk.rows - 1} rows .*warning.*; the manifest says ${chunk.rows}`));
  });

  it('tsv: --chunks and --key-from/--key-to replace exactly their ranges; verify names the chunk a row changed in', async () => {
    const { dir, manifest } = dumps['tsv-zstd'];
    const sparse = manifest.tables.find((t) => t.table === 't_sparse')!;
    const targetDb = `${src.name}_tsvrange`;
    const rename = { [src.name]: targetDb };
    await restore({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`] });
    const t = `${quoteIdent(targetDb)}.t_sparse`;
    const c3 = sparse.chunks[3]!;
    await exec(target.uri, `DELETE FROM ${t} WHERE id >= ${Number(c3.lower![0])} AND id < ${Number(c3.upper![0])}`);
    await exec(target.uri, `DELETE FROM ${t} WHERE id >= 120 AND id < 140`);
    await exec(target.uri, `UPDATE ${t} SET v = 'outside' WHERE id IN (118, 141)`);
    expect((await restore({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`], chunks: { indexes: [3] } })).chunks).toBe(1);
    await restore({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`], chunks: { lower: [120], upper: [140] } });
    await expectRangeReplaced(t);
    const report = await verify({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`] });
    expect(report.tables[0]!.mismatched.map((m) => m.index).sort((a, b) => a - b)).toEqual([...new Set([chunkOf(sparse, 118).index, chunkOf(sparse, 141).index])].sort((a, b) => a - b));
  });

  it('restores statements (and tsv lines) larger than one protocol packet (16 MB), then small ones again, on one connection', async () => {
    const big = await createTestDatabase(uri, 'rs_big');
    cleanup.push(big.drop);
    const c = await connect(uri, big.name);
    try {
      await c.query('CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB, t TEXT)');
      // Sizes around the 16 MB packet boundary (with escapes: every byte value appears), then small rows.
      const sizes = [20 * 1024 * 1024, 3, (16 * 1024 * 1024) - 40, 1024, 17 * 1024 * 1024, 0];
      for (const [i, n] of sizes.entries()) {
        const b = Buffer.alloc(n);
        for (let j = 0; j < n; j++) b[j] = (j * 131 + i) & 0xff;
        await c.query('INSERT INTO blobs VALUES (?, ?, ?)', [i, b, `row ${i} 'quoted' \\ ;`]);
      }
    } finally {
      await c.end();
    }
    const dir = path.join(tmp, 'big');
    // One row per statement: the 20 MB and 17 MB rows each become a statement over 16 MB.
    await dump({ source: uri, outDir: dir, databases: [big.name], threads: 2, chunkRows: 2, compress: 'zstd', statementBytes: 4096 });
    const result = await restore({ from: dir, target: target.uri, threads: 1, loadMethod: 'insert' });
    expect(result.rows).toBe(6);
    expect(await checksumTables(target.uri, big.name)).toEqual(await checksumTables(uri, big.name));
    // The same SQL files rewritten to LOAD DATA lines as they stream.
    const rewrittenDb = `${big.name}_rw`;
    expect((await restore({ from: dir, target: target.uri, threads: 1, rename: { [big.name]: rewrittenDb }, loadMethod: 'load-data' })).rows).toBe(6);
    expect(await checksumTables(target.uri, rewrittenDb)).toEqual(await checksumTables(uri, big.name));
    // The same rows as tsv: lines over 16 MB, fed through LOAD DATA LOCAL in pieces.
    const tsvDir = path.join(tmp, 'big-tsv');
    await dump({ source: uri, outDir: tsvDir, databases: [big.name], threads: 2, chunkRows: 2, compress: 'zstd', format: 'tsv' });
    const tsvDb = `${big.name}_tsv`;
    expect((await restore({ from: tsvDir, target: target.uri, threads: 1, rename: { [big.name]: tsvDb } })).rows).toBe(6);
    expect(await checksumTables(target.uri, tsvDb)).toEqual(await checksumTables(uri, big.name));
  });

  it('verify passes on a good restore and names the exact chunk range after a row is changed', async () => {
    const { dir, manifest } = dumps.gzip;
    const rename = { [src.name]: `${src.name}_gzip` };
    const ok = await verify({ from: dir, target: target.uri, rename });
    expect(ok.ok).toBe(true);
    expect(ok.chunks).toBe(manifest.totals.chunks);
    expect(ok.tables.every((t) => t.mismatched.length === 0 && t.ok === t.chunks)).toBe(true);
    expect((await verify({ from: dir })).ok).toBe(true);

    const sparse = manifest.tables.find((t) => t.table === 't_sparse')!;
    const changed = chunkOf(sparse, 150);
    const deleted = chunkOf(sparse, 1000000000000 * 250);
    expect(changed.index).not.toBe(deleted.index);
    const db = quoteIdent(rename[src.name]!);
    await exec(target.uri, `UPDATE ${db}.t_sparse SET v = 'changed' WHERE id = 150`);
    await exec(target.uri, `DELETE FROM ${db}.t_sparse WHERE id = ${1000000000000 * 250}`);
    const bad = await verify({ from: dir, target: target.uri, rename });
    expect(bad.ok).toBe(false);
    expect(bad.mismatched).toBe(2);
    const t = bad.tables.find((x) => x.table === 't_sparse')!;
    expect(t.ok).toBe(sparse.chunks.length - 2);
    expect(t.mismatched.map((m) => [m.index, m.reason, m.lower, m.upper])).toEqual(
      [
        [changed.index, 'content', changed.lower, changed.upper],
        [deleted.index, 'rows', deleted.lower, deleted.upper],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(bad.tables.filter((x) => x.table !== 't_sparse').every((x) => x.mismatched.length === 0)).toBe(true);

    const cli = await runCli(['verify', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${rename[src.name]}`, '--quiet']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`chunk ${changed.index} (${JSON.stringify(changed.lower![0])}) <= (id) < (${JSON.stringify(changed.upper![0])}): content`);
    expect(cli.stderr).toMatch(/verify FAILED: 2 of \d+ chunks differ/);
  });

  it('verify without a target finds a changed or missing data file', async () => {
    const copy = path.join(tmp, 'tampered');
    await cp(dumps.none.dir, copy, { recursive: true });
    const m = dumps.none.manifest;
    const [a, b] = [m.tables.find((t) => t.table === 't_str')!.chunks[0]!, m.tables.find((t) => t.table === 't_ubig')!.chunks[2]!];
    await flipByte(path.join(copy, a.file));
    await rm(path.join(copy, b.file));
    const report = await verify({ from: copy });
    expect(report.ok).toBe(false);
    expect(report.tables.flatMap((t) => t.mismatched.map((x) => [t.table, x.index, x.reason]))).toEqual(
      expect.arrayContaining([
        ['t_str', 0, 'file'],
        ['t_ubig', 2, 'missing'],
      ]),
    );
    expect(report.mismatched).toBe(2);
  });

  it('refuses to overwrite existing tables (nothing changed); --drop-existing replaces them', async () => {
    const { dir } = dumps.zstd;
    await exec(target.uri, `UPDATE ${quoteIdent(src.name)}.t_int SET ti = 1 WHERE id = 1`);
    const before = await checksumTables(target.uri, src.name);
    const error = (await restore({ from: dir, target: target.uri }).catch((e: unknown) => e)) as ParadumpError;
    expect(error.code).toBe('TARGET_EXISTS');
    expect(error.message).toMatch(/the target already has (table|view|sequence) .*nothing was changed \(use --drop-existing/);
    expect(await checksumTables(target.uri, src.name)).toEqual(before);
    const cli = await runCli(['restore', '--from', dir, '--target', target.uri, '--quiet']);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^paradump: the target already has .* \[TARGET_EXISTS\]$/)]);

    await restore({ from: dir, target: target.uri, dropExisting: true });
    await expectIdentical(src.name);
  });

  it('refuses a damaged dump before touching the target, naming the files', async () => {
    const copy = path.join(tmp, 'damaged');
    await cp(dumps.zstd.dir, copy, { recursive: true });
    const m = dumps.zstd.manifest;
    const flipped = m.tables.find((t) => t.table === 't_bin')!.chunks[0]!.file;
    const missing = m.tables.find((t) => t.table === 't_part')!.chunks[1]!.file;
    await flipByte(path.join(copy, flipped));
    await rm(path.join(copy, missing));
    const targetDb = `${src.name}_damaged`;
    const error = (await restore({ from: copy, target: target.uri, rename: { [src.name]: targetDb } }).catch((e: unknown) => e)) as ParadumpError;
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(`${flipped} does not match its sha256`);
    expect(error.message).toContain(`${missing} is missing`);
    expect(error.details.files).toEqual(expect.arrayContaining([flipped, missing]));
    expect(await databaseExists(target.uri, targetDb)).toBe(false);

    // --skip-verify still refuses a missing file, and says loudly that hashes were not checked.
    await cp(path.join(dumps.zstd.dir, missing), path.join(copy, missing));
    await cp(path.join(dumps.zstd.dir, flipped), path.join(copy, flipped));
    const events: RestoreEvent[] = [];
    await restore({ from: copy, target: target.uri, rename: { [src.name]: targetDb }, skipVerify: true }, { onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'warning' && e.code === 'VERIFY_SKIPPED')).toBeDefined();
    expect(await checksumTables(target.uri, targetDb)).toEqual(await checksumTables(uri, src.name));
  });

  it('refuses bad input with one clear line', async () => {
    const { dir } = dumps.zstd;
    const notDump = await mkdtemp(path.join(tmp, 'empty-'));
    const badJson = await mkdtemp(path.join(tmp, 'badjson-'));
    await writeFile(path.join(badJson, 'manifest.json'), '{ "format": "paradump", ');
    const base = ['restore', '--from', dir, '--target', target.uri];
    const cases: [string[], number, RegExp][] = [
      [['restore', '--target', target.uri], 2, /--from is required/],
      [['restore', '--from', dir], 2, /--target is required/],
      [[...base, '--rename', 'nosuchdb:x'], 1, /rename: database "nosuchdb" is not in the dump/],
      [[...base, '--rename', 'justone'], 2, /rename "justone" must be source:target/],
      [[...base, '--tables', `${src.name}.nope`], 1, /table ".*\.nope" is not in the dump/],
      [[...base, '--chunks', '1-3'], 2, /--chunks, --key-from and --key-to need --tables naming exactly one table/],
      [[...base, '--tables', `${src.name}.t_sparse`, '--chunks', '99999', '--rename', `${src.name}:x`], 2, /t_sparse has no chunk 99999 \(it has chunks 0 to \d+\)/],
      [[...base, '--tables', `${src.name}.t_composite_pk`, '--key-from', '5', '--rename', `${src.name}:x`], 2, /a bound needs 2 values, got 1/],
      [[...base, '--tables', `${src.name}.t_no_key`, '--key-from', '5', '--rename', `${src.name}:x`], 2, /has no key, so it cannot be restored by key range/],
      [[...base, '--threads', '0'], 2, /threads must be an integer from 1 to 64/],
      [[...base, '--resume', '--rename', `${src.name}:never_restored`], 2, /nothing to resume: no restore journal/],
      [[...base, '--resume', '--drop-existing'], 2, /choose one/],
      [['restore', '--from', notDump, '--target', target.uri], 1, /has no manifest\.json: not a paradump dump directory/],
      [['restore', '--from', badJson, '--target', target.uri], 1, /manifest\.json .* is not valid JSON/],
      [['restore', '--from', dir, '--target', 'mysql://root@127.0.0.1:99999'], 2, /invalid port/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('paradump:'));
      expect(errors, args.join(' ')).toHaveLength(1);
      expect(errors[0], args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(code);
    }
    expect(await databaseExists(target.uri, 'x')).toBe(false);
  });

  it('restores only the named tables (--tables), without objects', async () => {
    const { dir } = dumps.gzip;
    const targetDb = `${src.name}_some`;
    const r = await runCli(['restore', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${targetDb}`, '--tables', `${src.name}.t_sparse,${src.name}.t_fk_child`, '--quiet']);
    expect(r.code).toBe(0);
    const tables = (await exec(target.uri, `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${targetDb}' ORDER BY 1`)) as { t: string }[];
    expect(tables.map((x) => x.t)).toEqual(['t_fk_child', 't_sparse']);
    const all = await checksumTables(uri, src.name);
    expect(await checksumTables(target.uri, targetDb)).toEqual({ t_fk_child: all.t_fk_child, t_sparse: all.t_sparse });
  });

  it('replaces the key ranges of chosen chunks (--chunks) and nothing else', async () => {
    const { dir, manifest } = dumps.gzip;
    const sparse = manifest.tables.find((t) => t.table === 't_sparse')!;
    const targetDb = `${src.name}_chunks`;
    const rename = { [src.name]: targetDb };
    await restore({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`] });
    const t = `${quoteIdent(targetDb)}.t_sparse`;
    const [c3, c5, c9] = [sparse.chunks[3]!, sparse.chunks[5]!, sparse.chunks[9]!];
    const idIn = (c: typeof c3) => Number(c.lower![0]);
    await exec(target.uri, `DELETE FROM ${t} WHERE id >= ${idIn(c3)} AND id < ${Number(c3.upper![0])}`);
    await exec(target.uri, `UPDATE ${t} SET v = 'local edit' WHERE id = ${idIn(c5)}`);
    await exec(target.uri, `UPDATE ${t} SET v = 'keep me' WHERE id = ${idIn(c9)}`);
    const events: RestoreEvent[] = [];
    const r = await restore({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`], chunks: { indexes: [3, 5] } }, { onEvent: (e) => events.push(e) });
    expect(r.chunks).toBe(2);
    expect(events.filter((e) => e.type === 'range-cleared').map((e) => (e as { rowsDeleted: number }).rowsDeleted).sort((a, b) => a - b)).toEqual([0, c5.rows]);
    const report = await verify({ from: dir, target: target.uri, rename, tables: [`${src.name}.t_sparse`] });
    expect(report.tables[0]!.mismatched.map((m) => m.index)).toEqual([9]);
  });

  it('replaces exactly a key range (--key-from/--key-to): rows outside it stay as they are', async () => {
    const { dir, manifest } = dumps.gzip;
    const sparse = manifest.tables.find((t) => t.table === 't_sparse')!;
    const targetDb = `${src.name}_range`;
    await restore({ from: dir, target: target.uri, rename: { [src.name]: targetDb }, tables: [`${src.name}.t_sparse`] });
    const t = `${quoteIdent(targetDb)}.t_sparse`;
    // [120, 140) cuts through chunks; 118 and 141 sit in the same chunks just outside it.
    await exec(target.uri, `DELETE FROM ${t} WHERE id >= 120 AND id < 140`);
    await exec(target.uri, `UPDATE ${t} SET v = 'outside' WHERE id IN (118, 141)`);
    const r = await runCli(['restore', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${targetDb}`, '--tables', `${src.name}.t_sparse`, '--key-from', '120', '--key-to', '140', '--json']);
    expect(r.code).toBe(0);
    const finished = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as RestoreEvent).filter((e) => e.type === 'chunk-finished');
    expect(finished.reduce((a, e) => a + (e as { rows: number }).rows, 0)).toBe(20);
    expect(finished.length).toBeLessThan(sparse.chunks.length);
    await expectRangeReplaced(t);
    const report = await verify({ from: dir, target: target.uri, rename: { [src.name]: targetDb }, tables: [`${src.name}.t_sparse`] });
    expect(report.tables[0]!.mismatched.map((m) => m.index).sort((a, b) => a - b)).toEqual([...new Set([chunkOf(sparse, 118).index, chunkOf(sparse, 141).index])].sort((a, b) => a - b));
    // The staging databases are gone.
    const staging = (await exec(target.uri, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '\\_paradump\\_stage%'")) as unknown[];
    expect(staging).toEqual([]);
  });
});

async function flipByte(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const { size } = await fh.stat();
    const at = Math.floor(size / 2);
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}


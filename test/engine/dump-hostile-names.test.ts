import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { checksumTables, connect, quoteIdent, uniqueName } from '../harness/db.ts';
import { loadDumpWithClient } from './load-dump.ts';

const uri = inject('mariadbUri');

describe('hostile identifiers', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('names with quotes, backticks, slashes, .., unicode and 64 characters round-trip and never leave the dump directory', async () => {
    const db = `${uniqueName('h')}/../é\`"'`;
    const dst = uniqueName('h_dst');
    const tables = ['..', '../../etc/passwd', 'a`b"c\'d', 'ünï/cödé ☃', 'ж'.repeat(64), '.', 'x\\y', 'CON'];
    const c = await connect(uri);
    cleanup.push(async () => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(dst)}`);
      await c.end();
    });
    await c.query(`CREATE DATABASE ${quoteIdent(db)}`);
    await c.query(`CREATE DATABASE ${quoteIdent(dst)}`);
    for (const [i, t] of tables.entries()) {
      await c.query(`CREATE TABLE ${quoteIdent(db)}.${quoteIdent(t)} (${quoteIdent(`id "${t.slice(0, 20)}"`)} INT PRIMARY KEY, v VARCHAR(20))`);
      await c.query(`INSERT INTO ${quoteIdent(db)}.${quoteIdent(t)} VALUES (1, ?), (2, ?), (3, NULL)`, [`row-${i}`, t.slice(0, 20)]);
    }
    await c.query(`CREATE VIEW ${quoteIdent(db)}.${quoteIdent('v/..')} AS SELECT * FROM ${quoteIdent(db)}.${quoteIdent('..')}`);

    const parent = await mkdtemp(path.join(os.tmpdir(), 'paradump-hostile-'));
    cleanup.push(() => rm(parent, { recursive: true, force: true }));
    const dir = path.join(parent, 'dump');
    const manifest = await dump({ source: uri, outDir: dir, databases: [db], chunkRows: 2, threads: 2 });
    expect(manifest.tables.map((t) => t.table).sort()).toEqual([...tables].sort());

    // Everything written is inside the dump directory, and nothing was written beside it.
    expect(await readdir(parent)).toEqual(['dump']);
    const files = (await readdir(dir, { recursive: true })).map((f) => path.resolve(dir, f));
    expect(files.every((f) => f.startsWith(dir + path.sep))).toBe(true);
    for (const f of files) expect(path.basename(f)).toMatch(/^[A-Za-z0-9_@~.-]+$/);

    await loadDumpWithClient({ uri, dir, manifest, source: db, target: dst });
    expect(await checksumTables(uri, dst)).toEqual(await checksumTables(uri, db));
    const [rows] = (await c.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(dst)}.${quoteIdent('v/..')}`)) as unknown as [[{ n: number }]];
    expect(Number(rows[0].n)).toBe(3);
  });
});

describe('keys in other character sets', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('chunks latin1, utf16 and binary keys exactly and round-trips them', async () => {
    const db = uniqueName('cs_src');
    const dst = uniqueName('cs_dst');
    const c = await connect(uri);
    try {
      await c.query(`CREATE DATABASE ${db}; CREATE DATABASE ${dst}`);
      await c.query(`CREATE TABLE ${db}.l1 (k VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_german2_ci NOT NULL PRIMARY KEY, n INT)`);
      await c.query(`CREATE TABLE ${db}.u16 (k VARCHAR(20) CHARACTER SET utf16 COLLATE utf16_bin NOT NULL PRIMARY KEY, n INT)`);
      await c.query(`CREATE TABLE ${db}.bin (k VARBINARY(8) NOT NULL PRIMARY KEY, n INT)`);
      const words = ['Äpfel', 'apfel', 'Öl', 'oel2', 'Straße', 'strasse2', 'Müller', 'muller', 'Zoë', 'zz', "o'hara", 'back\\slash', 'ñ', 'é', 'x'];
      for (const [i, w] of words.entries()) {
        await c.query(`INSERT INTO ${db}.l1 VALUES (?, ?)`, [w, i]);
        await c.query(`INSERT INTO ${db}.u16 VALUES (?, ?)`, [w, i]);
        await c.query(`INSERT INTO ${db}.bin VALUES (?, ?)`, [Buffer.from([i, 0x27, 0x5c, 255 - i]), i]);
      }
      const parent = await mkdtemp(path.join(os.tmpdir(), 'paradump-cs-'));
      cleanup.push(() => rm(parent, { recursive: true, force: true }));
      const dir = path.join(parent, 'dump');
      const manifest = await dump({ source: uri, outDir: dir, databases: [db], chunkRows: 4, threads: 2 });
      for (const t of manifest.tables) {
        expect(t.chunks.map((ch) => ch.rows)).toEqual([4, 4, 4, 3]);
        if (t.table !== 'bin') expect(t.chunks[1]!.lower![0]).toHaveProperty('hex');
      }
      await loadDumpWithClient({ uri, dir, manifest, source: db, target: dst });
      expect(await checksumTables(uri, dst)).toEqual(await checksumTables(uri, db));
    } finally {
      await c.query(`DROP DATABASE IF EXISTS ${db}; DROP DATABASE IF EXISTS ${dst}`);
      await c.end();
    }
  });
});

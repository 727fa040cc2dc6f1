import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyId } from '../../lib/core/dump-key.ts';
import { Manifest } from '../../lib/core/manifest.ts';
import { dump } from '../../lib/engine/dump.ts';
import { restore } from '../../lib/restore/restore.ts';
import { parseOptions } from '../../lib/core/parse-options.ts';
import { PitrOptions } from '../../lib/restore/options.ts';
import { planPitr } from '../../lib/restore/pitr-plan.ts';
import { verify } from '../../lib/restore/verify.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { openTarget } from '../../lib/storage/open-target.ts';
import { checksumTables, createTestDatabase, queryRows, runSqlFile, tableDefinitions, uniqueName, type TestDatabase } from '../harness/db.ts';
import { startS3Server, type S3Server } from '../harness/s3-server.ts';
import { createChunkTable } from '../fixtures/generate.ts';

const uri = inject('mariadbUri');
const fixture = path.resolve('test/fixtures/every-type.sql');
const KINDS = ['tables', 'sequences', 'views', 'triggers', 'procedures', 'functions', 'events'] as const;
const MAGIC = 'PDUMPENC';

const cleanup: (() => Promise<unknown>)[] = [];
let tmp: string;
let src: TestDatabase;
let target: ThrowawayServer;
let s3: S3Server;
const key = randomBytes(32);
const other = randomBytes(32);
let keyFile: string;
let otherFile: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'paradump-enc-'));
  cleanup.push(() => rm(tmp, { recursive: true, force: true }));
  process.env.PARADUMP_HOME = path.join(tmp, 'home');
  keyFile = path.join(tmp, 'dump.key');
  otherFile = path.join(tmp, 'other.key');
  await writeFile(keyFile, key.toString('hex') + '\n', { mode: 0o600 });
  await writeFile(otherFile, other.toString('base64'), { mode: 0o600 });
  target = await startThrowawayServer({ serverId: 3 });
  cleanup.push(() => target.stop());
  s3 = await startS3Server({ buckets: ['enc'] });
  cleanup.push(() => s3.stop());
  src = await createTestDatabase(uri, 'enc_src');
  cleanup.push(src.drop);
  await runSqlFile(uri, src.name, fixture);
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function expectIdentical(targetUri: string, targetDb: string): Promise<void> {
  expect(await checksumTables(targetUri, targetDb)).toEqual(await checksumTables(uri, src.name));
  const [a, b] = [await tableDefinitions(uri, src.name), await tableDefinitions(targetUri, targetDb)];
  for (const kind of KINDS) expect(b[kind], kind).toEqual(a[kind]);
}

async function databaseExists(u: string, db: string): Promise<boolean> {
  return (await queryRows(u, `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${db}'`)).length > 0;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('encrypted dumps', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    dir = path.join(tmp, 'zstd');
    manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 3, chunkRows: 7, compress: 'zstd', statementBytes: 4096, encryption: { keyFile } });
  });

  it('seals every file but the manifest, records the key id (never the key) in the manifest (version 5, at least the 4 encryption needs), and sha256sum still checks the files', async () => {
    expect(manifest.version).toBe(5);
    expect(manifest.encryption).toEqual({ algorithm: 'aes-256-gcm', keyId: keyId(key), segmentBytes: 65536 });
    const chunks = manifest.tables.flatMap((t) => t.chunks);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      const stored = await readFile(path.join(dir, c.file));
      expect(c.encrypted).toBe(true);
      expect(stored.subarray(0, 8).toString('latin1')).toBe(MAGIC);
      expect(sha256(stored)).toBe(c.sha256);
      expect(stored.length).toBe(c.bytes);
    }
    for (const f of [manifest.tables[0]!.schemaFile, manifest.databases[0]!.objects[0]!.file]) expect((await readFile(path.join(dir, f))).subarray(0, 8).toString('latin1')).toBe(MAGIC);
    const manifestText = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    expect(Manifest.parse(JSON.parse(manifestText)).encryption?.keyId).toBe(keyId(key));
    // The key in none of its forms anywhere in the dump directory (request file, state, journal included).
    const forms = [key.toString('hex'), key.toString('base64'), keyFile];
    for (const f of await readdir(dir, { recursive: true })) {
      const text = await readFile(path.join(dir, f)).catch(() => null);
      if (text) for (const form of forms) expect(text.includes(form), `${f} holds the key`).toBe(false);
    }
  });

  it('without a key: KEY_REQUIRED; with another key: KEY_MISMATCH; the target untouched', async () => {
    const db = `${src.name}_wrong`;
    await expect(restore({ from: dir, target: target.uri, rename: { [src.name]: db } })).rejects.toMatchObject({ code: 'KEY_REQUIRED' });
    await expect(restore({ from: dir, target: target.uri, rename: { [src.name]: db }, decryption: { keyFile: otherFile } })).rejects.toMatchObject({ code: 'KEY_MISMATCH', details: { expected: keyId(key), given: keyId(other) } });
    expect(await databaseExists(target.uri, db)).toBe(false);
    await expect(verify({ from: dir })).rejects.toMatchObject({ code: 'KEY_REQUIRED' });
    await expect(verify({ from: dir, decryption: { keyFile: otherFile } })).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    await expect(restore({ from: dir, target: target.uri, decryption: { keyFile: path.join(tmp, 'nope.key') } })).rejects.toMatchObject({ code: 'KEY_FILE_INVALID' });
    // Point-in-time recovery reads only the (plain) manifest: no key needed, but another key is refused.
    const pitrAsk = (decryption?: { keyFile: string }) => planPitr(parseOptions(PitrOptions, { from: dir, source: uri, target: target.uri, until: 'end', ...(decryption ? { decryption } : {}) }));
    await expect(pitrAsk({ keyFile: otherFile })).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    expect((await pitrAsk()).runs.length).toBeGreaterThan(0);
  });

  it('restores with the key, identical to the source, and verifies (files and target)', async () => {
    const db = `${src.name}_ok`;
    const result = await restore({ from: dir, target: target.uri, rename: { [src.name]: db }, threads: 3, decryption: { keyFile } });
    expect(result.rows).toBe(manifest.totals.rows);
    await expectIdentical(target.uri, db);
    const files = await verify({ from: dir, decryption: { keyFile } });
    expect(files.ok).toBe(true);
    const rows = await verify({ from: dir, target: target.uri, rename: { [src.name]: db }, decryption: { key } });
    expect(rows.ok).toBe(true);
  });

  it('a byte changed in a data file (and its sha256 in the manifest to match) is caught by authentication: verify names the chunk, restore fails DECRYPT_FAILED', async () => {
    const bad = path.join(tmp, 'tampered');
    await cp(dir, bad, { recursive: true });
    const m = JSON.parse(await readFile(path.join(bad, 'manifest.json'), 'utf8')) as Manifest;
    const table = m.tables.find((t) => t.chunks.length > 1)!;
    const chunk = table.chunks[1]!;
    const stored = await readFile(path.join(bad, chunk.file));
    stored[stored.length - 20]! ^= 0x40;
    await writeFile(path.join(bad, chunk.file), stored);
    chunk.sha256 = sha256(stored);
    await writeFile(path.join(bad, 'manifest.json'), JSON.stringify(m));
    const report = await verify({ from: bad, decryption: { keyFile } });
    expect(report.ok).toBe(false);
    const t = report.tables.find((x) => x.table === table.table)!;
    expect(t.mismatched.map((x) => x.index)).toEqual([chunk.index]);
    const db = `${src.name}_bad`;
    await expect(restore({ from: bad, target: target.uri, rename: { [src.name]: db }, tables: [`${src.name}.${table.table}`], decryption: { keyFile }, loadMethod: 'insert' })).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      details: { file: chunk.file, chunk: { table: table.table, index: chunk.index } },
    });
  });

  it('a tsv dump without compression round-trips encrypted (its content hash is of the rows, not the file)', async () => {
    const tsv = path.join(tmp, 'tsv');
    const m = await dump({ source: uri, outDir: tsv, databases: [src.name], threads: 2, chunkRows: 7, compress: 'none', format: 'tsv', encryption: { key: key.toString('base64') } });
    expect(m.tables.flatMap((t) => t.chunks).every((c) => c.contentSha256 !== c.sha256)).toBe(true);
    const db = `${src.name}_tsv`;
    await restore({ from: tsv, target: target.uri, rename: { [src.name]: db }, decryption: { keyFile } });
    await expectIdentical(target.uri, db);
    expect((await verify({ from: tsv, target: target.uri, rename: { [src.name]: db }, decryption: { keyFile } })).ok).toBe(true);
  });

  it('seals the accounts file too (its recorded sha256 is of the sealed bytes) and restores the accounts with the key', async () => {
    const user = uniqueName('enc_app');
    cleanup.push(() => queryRows(uri, `DROP USER IF EXISTS \`${user}\`@'%'`));
    await queryRows(uri, `CREATE USER \`${user}\`@'%' IDENTIFIED BY 'enc-pw-1'`);
    await queryRows(uri, `GRANT SELECT ON \`${src.name}\`.* TO \`${user}\`@'%'`);
    const out = path.join(tmp, 'accounts');
    const m = await dump({ source: uri, outDir: out, databases: [src.name], users: true, includeUsers: [`${user}@%`], encryption: { keyFile } });
    expect(m.accounts?.list.map((a) => a.user)).toEqual([user]);
    const stored = await readFile(path.join(out, m.accounts!.file));
    expect(stored.subarray(0, 8).toString('latin1')).toBe(MAGIC);
    expect(sha256(stored)).toBe(m.accounts!.sha256);
    expect(stored.includes('enc-pw-1')).toBe(false);
    const db = `${src.name}_acc`;
    await restore({ from: out, target: target.uri, rename: { [src.name]: db }, users: true, decryption: { keyFile } });
    const grants = (await queryRows<Record<string, string>>(target.uri, `SHOW GRANTS FOR \`${user}\`@'%'`)).map((r) => Object.values(r)[0]!);
    expect(grants.some((g) => g.includes(`\`${db}\`.*`))).toBe(true);
  });

  it('to S3 and back: the objects are ciphertext, restore and verify read them with the key', async () => {
    const outDir = `s3://enc/one-${Date.now()}`;
    const m = await dump({ source: uri, outDir, storage: s3.settings, databases: [src.name], threads: 2, chunkRows: 40, encryption: { keyFile } });
    const store = openTarget(outDir, s3.settings);
    for (const c of m.tables.flatMap((t) => t.chunks)) {
      const body = (await store.readAll(c.file))!;
      expect(body.subarray(0, 8).toString('latin1')).toBe(MAGIC);
      expect(await store.stat(c.file)).toEqual({ file: c.file, bytes: c.bytes, sha256: c.sha256 });
    }
    const db = `${src.name}_s3`;
    await expect(restore({ from: outDir, storage: s3.settings, target: target.uri, rename: { [src.name]: db }, decryption: { keyFile: otherFile } })).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    expect(await databaseExists(target.uri, db)).toBe(false);
    await restore({ from: outDir, storage: s3.settings, target: target.uri, rename: { [src.name]: db }, decryption: { keyFile } });
    await expectIdentical(target.uri, db);
    expect((await verify({ from: outDir, storage: s3.settings, decryption: { keyFile } })).ok).toBe(true);
  });
});

/** Starts `paradump dump --json` and SIGKILLs it after `killAfter` chunks finished; resolves once it is dead. */
async function dumpAndKill(args: string[], killAfter: number): Promise<boolean> {
  const child = spawn(process.execPath, ['bin/paradump.mjs', 'dump', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARADUMP_FROM_SOURCE: '1' } });
  let finished = 0;
  let killed = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout! })) {
    if (!line.startsWith('{')) continue;
    if ((JSON.parse(line) as { type: string }).type === 'chunk-finished' && ++finished >= killAfter && !killed) killed = child.kill('SIGKILL');
  }
  await exited;
  return killed;
}

describe('resume of an encrypted dump', () => {
  it('after kill -9, --resume needs the same key (KEY_REQUIRED, KEY_MISMATCH otherwise, nothing cleared) and completes a dump that restores exactly', async () => {
    const db = await createTestDatabase(uri, 'enc_kill');
    cleanup.push(db.drop);
    await createChunkTable({ uri, db: db.name, table: 't', rows: 30_000 });
    const dir = path.join(tmp, 'killed');
    const args = ['--source', uri, '--out', dir, '--databases', db.name, '--chunk-rows', '1000', '--threads', '2', '--encrypt-key-file', keyFile, '--max-rate', '2M'];
    expect(await dumpAndKill(args, 3)).toBe(true);
    const before = (await readdir(path.join(dir, 'data'), { recursive: true })).sort();
    await expect(dump({ source: uri, outDir: dir, resume: true })).rejects.toMatchObject({ code: 'KEY_REQUIRED' });
    await expect(dump({ source: uri, outDir: dir, resume: true, encryption: { keyFile: otherFile } })).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    expect((await readdir(path.join(dir, 'data'), { recursive: true })).sort()).toEqual(before);
    const m = await dump({ source: uri, outDir: dir, resume: true, encryption: { keyFile } });
    expect(m.resumedAt).toHaveLength(1);
    expect(m.totals.rows).toBe(30_000);
    const restored = `${db.name}_back`;
    cleanup.push(() => queryRows(uri, `DROP DATABASE IF EXISTS \`${restored}\``));
    await restore({ from: dir, target: uri, rename: { [db.name]: restored }, decryption: { keyFile } });
    expect(await checksumTables(uri, restored)).toEqual(await checksumTables(uri, db.name));
  });
});

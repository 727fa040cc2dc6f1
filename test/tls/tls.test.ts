import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { isParadumpError } from '../../lib/engine/errors.ts';
import { Session } from '../../lib/mysql/session.ts';
import { testConnection } from '../../lib/mysql/test-connection.ts';
import type { ConnectionTls } from '../../lib/mysql/tls.ts';
import { parseServerUri, withTls, type ServerAddress } from '../../lib/mysql/uri.ts';
import { restore } from '../../lib/restore/restore.ts';
import { TargetConnection } from '../../lib/restore/target-connection.ts';
import { verify } from '../../lib/restore/verify.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { getPrisma } from '../../lib/store/prisma.ts';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { openServerTlsKey, openServerPassword } from '../../lib/runs/server-secret.ts';
import { connect } from '../harness/db.ts';
import { main } from '../../cli/main.ts';
import { PassThrough } from 'node:stream';

// A MariaDB of its own with TLS: CA, server certificate for 127.0.0.1 (IP SAN only), a client
// certificate, and a CA that signed none of them. Every certificate is made here with openssl.
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-tls-'));
const file = (name: string) => path.join(dir, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

function makeCertificates(): void {
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=paradump test ${ca}`);
  }
  const issue = (name: string, subject: string, ext: string) => {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  issue('server', '/CN=paradump-test-server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=paradump-test-client', 'extendedKeyUsage=clientAuth\n');
  // mariadbd runs as mysql when the tests run as root: it must be able to read them.
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(file(f), 0o644);
}

let server: ThrowawayServer;
let plain: ServerAddress;
const X509_USER = 'tls_x509';
const SSL_USER = 'tls_required';
const DB = 'tls_shop';

const address = (tls: ConnectionTls, over: Partial<ServerAddress> = {}): ServerAddress => ({ ...plain, ...over, tls });

beforeAll(async () => {
  makeCertificates();
  server = await startThrowawayServer({ serverId: 7, extraArgs: [`--ssl-ca=${file('ca.pem')}`, `--ssl-cert=${file('server.pem')}`, `--ssl-key=${file('server-key.pem')}`] });
  plain = parseServerUri(server.uri);
  const c = await connect(server.uri);
  await c.query(`CREATE USER '${X509_USER}'@'%' REQUIRE X509; GRANT SELECT ON *.* TO '${X509_USER}'@'%'`);
  await c.query(`CREATE USER '${SSL_USER}'@'%' IDENTIFIED BY 'pw' REQUIRE SSL; GRANT ALL PRIVILEGES ON *.* TO '${SSL_USER}'@'%'`);
  await c.query(`CREATE DATABASE ${DB}; CREATE TABLE ${DB}.item (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO ${DB}.item VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  await c.end();
});

afterAll(async () => {
  await getPrisma().$disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cipherOf(a: ServerAddress): Promise<string> {
  const s = await Session.open(a);
  try {
    const [row] = await s.query<{ Value: string }>("SHOW STATUS LIKE 'Ssl_cipher'");
    return row?.Value ?? '';
  } finally {
    await s.close();
  }
}

async function openError(a: ServerAddress): Promise<unknown> {
  try {
    const s = await Session.open(a);
    await s.close();
  } catch (error) {
    return error;
  }
  throw new Error('expected the connection to fail');
}

describe('TLS to a saved server', () => {
  it('off is plain text; required encrypts without checking the certificate', async () => {
    expect(await cipherOf(address({ mode: 'off' }))).toBe('');
    expect(await cipherOf(address({ mode: 'required' }))).not.toBe('');
    // ?ssl=true in a URI means required.
    expect(await cipherOf(parseServerUri(`${server.uri}?ssl=true`))).not.toBe('');
  });

  it('verify-ca: the right CA connects, another CA is refused as untrusted', async () => {
    expect(await cipherOf(address({ mode: 'verify-ca', ca: pem('ca.pem') }))).not.toBe('');
    const error = await openError(address({ mode: 'verify-ca', ca: pem('other-ca.pem') }));
    expect(isParadumpError(error, 'TLS_FAILED')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details['tls']).toBe('untrusted');
    const check = await testConnection({ address: address({ mode: 'verify-ca', ca: pem('other-ca.pem') }), lock: 'none' });
    expect(check).toMatchObject({ ok: false, code: 'TLS_FAILED', summary: expect.stringMatching(/^The server certificate is not trusted: .*verify-ca failed/) });
  });

  it('verify-identity: a certificate for 127.0.0.1 matches 127.0.0.1, not another name', async () => {
    expect(await cipherOf(address({ mode: 'verify-identity', ca: pem('ca.pem') }))).not.toBe('');
    // Same server, reached as "localhost": the certificate names only the IP address.
    const byName = address({ mode: 'verify-identity', ca: pem('ca.pem') }, { host: 'localhost' });
    const error = await openError(byName);
    expect(isParadumpError(error, 'TLS_FAILED')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details['tls']).toBe('name-mismatch');
    expect(await testConnection({ address: byName, lock: 'none' })).toMatchObject({ ok: false, code: 'TLS_FAILED', summary: expect.stringMatching(/^The server certificate does not match the host name/) });
    // verify-ca does not look at the name.
    expect(await cipherOf(address({ mode: 'verify-ca', ca: pem('ca.pem') }, { host: 'localhost' }))).not.toBe('');
  });

  it('a server without TLS is told apart from a certificate problem', async () => {
    const noTls = parseServerUri(inject('mariadbUri'));
    const check = await testConnection({ address: withTls(noTls, { mode: 'required' }), lock: 'none' });
    expect(check).toMatchObject({ ok: false, code: 'TLS_FAILED', summary: expect.stringMatching(/^The server does not offer TLS/) });
  });

  it('an account created REQUIRE X509 connects only with the client certificate', async () => {
    const user = { user: X509_USER, password: '' };
    const withCert = address({ mode: 'verify-identity', ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') }, user);
    expect(await cipherOf(withCert)).not.toBe('');
    const [who] = await (async () => {
      const s = await Session.open(withCert);
      try {
        return await s.query<{ u: string }>('SELECT CURRENT_USER() AS u');
      } finally {
        await s.close();
      }
    })();
    expect(who?.u).toBe(`${X509_USER}@%`);
    const without = await openError(address({ mode: 'verify-identity', ca: pem('ca.pem') }, user));
    expect(isParadumpError(without, 'ACCESS_DENIED')).toBe(true);
    expect(isParadumpError(await openError(address({ mode: 'off' }, user)), 'ACCESS_DENIED')).toBe(true);
  });

  it('dump, restore and verify run every connection over TLS, and the key stays out of every file', async () => {
    const out = path.join(dir, 'dump');
    // The account is refused without TLS: every connection of the run (control, workers, loaders) used it.
    const source = `mysql://${SSL_USER}:pw@127.0.0.1:${server.port}`;
    const tls: ConnectionTls = { mode: 'verify-identity', ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') };
    expect(isParadumpError(await openError(parseServerUri(source)), 'ACCESS_DENIED')).toBe(true);

    const manifest = await dump({ source, tls, outDir: out, databases: [DB], threads: 2, chunkRows: 1 });
    expect(manifest.totals.rows).toBe(3);
    const result = await restore({ from: out, target: source, tls, rename: { [DB]: `${DB}_copy` } });
    expect(result.rows).toBe(3);
    const report = await verify({ from: out, target: source, tls, rename: { [DB]: `${DB}_copy` } });
    expect(report.ok).toBe(true);

    const target = await TargetConnection.open(withTls(parseServerUri(source), tls));
    try {
      const [row] = await target.query<{ Value: string }>("SHOW STATUS LIKE 'Ssl_cipher'");
      expect(row?.Value).not.toBe('');
    } finally {
      await target.close();
    }

    // Neither the key nor any line of it is written next to the dump (manifest, state, journals).
    const keyLine = pem('client-key.pem').split('\n')[1]!;
    const written = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(written.length).toBeGreaterThan(2);
    for (const e of written) {
      const text = readFileSync(path.join(e.parentPath, e.name)).toString('latin1');
      expect(text.includes(keyLine), e.name).toBe(false);
      expect(text.includes('PRIVATE KEY'), e.name).toBe(false);
    }
  });

  it('refuses ?ssl=true in the URI together with TLS off', async () => {
    await expect(dump({ source: `${server.uri}?ssl=true`, tls: { mode: 'off' }, outDir: path.join(dir, 'never') })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(dump({ source: server.uri, tls: { mode: 'verify-ca' }, outDir: path.join(dir, 'never') })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/verify-ca needs a CA certificate/) });
  });
});

describe('a saved server with TLS (dashboard)', () => {
  const store = path.join(dir, 'store', 'store.db');
  // Imported once the store is chosen: lib/runs reads PARADUMP_DATABASE_URL.
  let servers: typeof import('../../lib/runs/servers.ts');

  beforeAll(async () => {
    process.env.PARADUMP_DATABASE_URL = `file:${store}`;
    delete process.env.PARADUMP_SECRET;
    applyMigrations({ databasePath: store, migrationsDir: path.resolve('prisma/migrations') });
    servers = await import('../../lib/runs/servers.ts');
  });

  const form = () => ({ name: 'tls primary', host: '127.0.0.1', port: String(server.port), user: X509_USER, password: '', tlsMode: 'verify-identity', tlsCa: pem('ca.pem'), tlsCert: pem('client.pem'), tlsKey: pem('client-key.pem') });

  it('checks the form: clear messages on the field they concern', () => {
    const errorsOf = (over: Record<string, string>) => {
      const r = servers.AddServerInput.safeParse({ ...form(), ...over });
      return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
    };
    expect(servers.AddServerInput.safeParse(form()).success).toBe(true);
    expect(errorsOf({ tlsMode: 'verify-ca', tlsCa: '' })).toEqual({ tlsCa: 'verify-ca needs a CA certificate' });
    expect(errorsOf({ tlsKey: '' })).toEqual({ tlsKey: 'The client certificate and key go together: add the key' });
    expect(errorsOf({ tlsCert: '' })).toEqual({ tlsCert: 'The client certificate and key go together: add the certificate' });
    expect(errorsOf({ tlsCa: 'my ca' })).toEqual({ tlsCa: expect.stringMatching(/^The CA certificate is not PEM/) });
    expect(errorsOf({ tlsKey: pem('server-key.pem') })).toEqual({ tlsKey: 'The client key does not belong to the client certificate' });
    expect(errorsOf({ tlsMode: 'preferred' })).toEqual({ tlsMode: 'Choose off, required, verify-ca or verify-identity' });
    // Hidden fields (TLS off) are simply absent.
    expect(servers.AddServerInput.safeParse({ name: 'n', host: 'h', port: '1', user: 'u' }).success).toBe(true);
  });

  it('test connection says what is wrong with TLS in plain words', async () => {
    const input = (over: Record<string, string>) => servers.TestConnectionInput.parse({ ...form(), lock: 'none', ...over });
    expect(await servers.testServerConnection(input({}))).toMatchObject({ ok: true, summary: expect.stringMatching(/^Connected to MariaDB/) });
    expect(await servers.testServerConnection(input({ tlsMode: 'verify-ca', tlsCa: pem('other-ca.pem') }))).toMatchObject({ ok: false, summary: expect.stringMatching(/not trusted/) });
    expect(await servers.testServerConnection(input({ host: 'localhost' }))).toMatchObject({ ok: false, summary: expect.stringMatching(/does not match the host name/) });
    expect(await servers.testServerConnection(input({ tlsCert: '', tlsKey: '' }))).toMatchObject({ ok: false, summary: expect.stringMatching(/^Access denied.*X509/) });
  });

  it('saves the key sealed, never shows it, and connects with it for the live database list', async () => {
    const saved = await servers.addServer(servers.AddServerInput.parse(form()));
    expect(saved.tls).toEqual({ mode: 'verify-identity', ca: true, clientCert: true });

    const row = await getPrisma().server.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row.tlsMode).toBe('verify-identity');
    expect(row.tlsCa).toBe(pem('ca.pem'));
    expect(row.tlsKeySealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(await openServerTlsKey({ serverId: saved.id, sealed: row.tlsKeySealed })).toBe(pem('client-key.pem'));
    // Its own context: the sealed key is not a sealed password of the same server.
    await expect(openServerPassword({ serverId: saved.id, sealed: row.tlsKeySealed })).rejects.toThrow(/re-enter/);

    const keyLine = pem('client-key.pem').split('\n')[1]!;
    const payload = JSON.stringify([await servers.listServers(), await servers.getServer({ id: saved.id }), saved]);
    for (const secret of [keyLine, row.tlsKeySealed, 'PRIVATE KEY', 'BEGIN CERTIFICATE']) expect(payload).not.toContain(secret);

    const objects = await servers.listServerObjects({ id: saved.id });
    expect(objects.databases.map((d) => d.name)).toContain(DB);
    const { address } = await servers.serverAddress({ id: saved.id });
    expect(await cipherOf(address)).not.toBe('');

    await getPrisma().$disconnect();
    const onDisk = readFileSync(store);
    expect(onDisk.includes(Buffer.from(keyLine))).toBe(false);
  });

  it('a server saved before the migration means TLS off', async () => {
    const oldStore = path.join(dir, 'old', 'store.db');
    const oldMigrations = path.join(dir, 'old-migrations');
    cpSync(path.resolve('prisma/migrations'), oldMigrations, { recursive: true });
    for (const name of readdirSync(oldMigrations)) if (name >= '20261202090000_server_tls' && name !== 'migration_lock.toml') rmSync(path.join(oldMigrations, name), { recursive: true });
    applyMigrations({ databasePath: oldStore, migrationsDir: oldMigrations });
    const db = new Database(oldStore);
    db.prepare(`INSERT INTO "Server" ("id", "name", "host", "port", "user") VALUES ('srv_old', 'old', '127.0.0.1', 3306, 'root')`).run();
    db.close();
    expect(applyMigrations({ databasePath: oldStore, migrationsDir: path.resolve('prisma/migrations') }).applied[0]).toBe('20261202090000_server_tls');
    const after = new Database(oldStore, { readonly: true });
    expect(after.prepare(`SELECT "tlsMode", "tlsCa", "tlsCert", "tlsKeySealed" FROM "Server" WHERE "id" = 'srv_old'`).get()).toEqual({ tlsMode: 'off', tlsCa: '', tlsCert: '', tlsKeySealed: '' });
    after.close();
  });
});

describe('the CLI TLS flags', () => {
  async function run(args: string[]): Promise<{ code: number; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stdout.resume();
    stderr.on('data', (d) => (err += d));
    const code = await main(args, { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
    return { code, stderr: err };
  }

  it('dump, restore and verify with --ssl-mode/--ssl-ca/--ssl-cert/--ssl-key', async () => {
    const source = `mysql://${SSL_USER}:pw@127.0.0.1:${server.port}`;
    const flags = ['--ssl-mode', 'VERIFY_IDENTITY', '--ssl-ca', file('ca.pem'), '--ssl-cert', file('client.pem'), '--ssl-key', file('client-key.pem')];
    const out = path.join(dir, 'cli-dump');
    expect(await run(['dump', '--source', source, ...flags, '--databases', DB, '--out', out, '--quiet'])).toMatchObject({ code: 0 });
    expect(await run(['restore', '--from', out, '--target', source, ...flags, '--rename', `${DB}:${DB}_cli`, '--quiet'])).toMatchObject({ code: 0 });
    expect(await run(['verify', '--from', out, '--target', source, '--ssl-ca', file('ca.pem'), '--rename', `${DB}:${DB}_cli`, '--quiet'])).toMatchObject({ code: 0 });
    // --ssl-ca alone is verify-ca: another CA is refused, and said so.
    const refused = await run(['verify', '--from', out, '--target', source, '--ssl-ca', file('other-ca.pem'), '--rename', `${DB}:${DB}_cli`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/TLS failed: the server certificate is not trusted .*\[TLS_FAILED\]/);
  });

  it('refuses a bad mode, an unreadable file and PEM that is not a key, as usage errors', async () => {
    const source = `mysql://root@127.0.0.1:${server.port}`;
    expect(await run(['dump', '--source', source, '--ssl-mode', 'preferred', '--out', path.join(dir, 'x')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--ssl-mode must be off, required, verify-ca or verify-identity/) });
    expect(await run(['dump', '--source', source, '--ssl-ca', path.join(dir, 'missing.pem'), '--out', path.join(dir, 'x')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--ssl-ca: cannot read .*ENOENT/) });
    expect(await run(['dump', '--source', source, '--ssl-mode', 'required', '--ssl-cert', file('client.pem'), '--ssl-key', file('client.pem'), '--out', path.join(dir, 'x')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/tls\.key: The client key must be a private key/) });
    expect(await run(['verify', '--from', dir, '--ssl-mode', 'required'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/only mean something with --target/) });
  });
});

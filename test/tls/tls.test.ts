import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { isParadumpError } from '../../lib/core/errors.ts';
import { Session } from '../../lib/mysql/session.ts';
import { testConnection } from '../../lib/mysql/test-connection.ts';
import type { ConnectionTls } from '../../lib/mysql/tls.ts';
import { parseServerUri, withTls, type ServerAddress } from '../../lib/mysql/uri.ts';
import type { PitrEvent } from '../../lib/restore/events.ts';
import { pitr } from '../../lib/restore/pitr.ts';
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
    // tsv files go through LOAD DATA LOCAL on the same TLS connection kind.
    const tsvOut = path.join(dir, 'dump-tsv');
    await dump({ source, tls, outDir: tsvOut, databases: [DB], threads: 2, chunkRows: 1, format: 'tsv' });
    expect((await restore({ from: tsvOut, target: source, tls, rename: { [DB]: `${DB}_tsv` } })).rows).toBe(3);
    expect((await verify({ from: tsvOut, target: source, tls, rename: { [DB]: `${DB}_tsv` } })).ok).toBe(true);

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

describe('point-in-time recovery over TLS', () => {
  const db = 'tls_pitr';
  const copy = `${db}_copy`;
  const out = path.join(dir, 'pitr-dump');
  // Accounts created REQUIRE X509: the binlog reader and the SQL client must present the client
  // certificate (the MariaDB clients would negotiate TLS by themselves, but not send a certificate).
  const source = () => `mysql://tls_pitr_x509:pw@127.0.0.1:${server.port}`;
  const target = () => `mysql://tls_pitr_x509:pw@127.0.0.1:${server.port}`;
  const sourceTls = (): ConnectionTls => ({ mode: 'verify-identity', ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') });
  const targetTls = (): ConnectionTls => ({ mode: 'verify-ca', ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') });
  const keyLine = () => pem('client-key.pem').split('\n')[1]!;
  const rows = async (database: string) => {
    const c = await connect(server.uri);
    try {
      const [r] = await c.query(`SELECT id, name FROM ${database}.item ORDER BY id`);
      return r;
    } finally {
      await c.end();
    }
  };
  /** The private directory the PEM files were written to, from the reader's arguments. */
  const tlsDirOf = (events: PitrEvent[]) => {
    const plan = events.find((e) => e.type === 'plan');
    const arg = plan?.type === 'plan' ? plan.plan.runs[0]!.readerArgs.find((a) => a.startsWith('--ssl-key=')) : undefined;
    return arg ? path.dirname(arg.slice('--ssl-key='.length)) : null;
  };

  beforeAll(async () => {
    const c = await connect(server.uri);
    await c.query(`CREATE USER 'tls_pitr_x509'@'%' IDENTIFIED BY 'pw' REQUIRE X509; GRANT ALL PRIVILEGES ON *.* TO 'tls_pitr_x509'@'%'`);
    await c.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.item (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO ${db}.item VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await c.end();
    // Both accounts are refused without TLS: every step below used it.
    expect(isParadumpError(await openError(withTls(parseServerUri(target()), { mode: 'required' })), 'ACCESS_DENIED')).toBe(true);

    const manifest = await dump({ source: source(), tls: sourceTls(), outDir: out, databases: [db], threads: 2, lock: 'snapshot' });
    expect(manifest.consistency.binlog).not.toBeNull();
    const w = await connect(server.uri);
    await w.query(`INSERT INTO ${db}.item VALUES (4, 'after the dump'), (5, 'e'); UPDATE ${db}.item SET name = 'B' WHERE id = 2; DELETE FROM ${db}.item WHERE id = 3`);
    await w.end();
    expect((await restore({ from: out, target: target(), tls: targetTls(), rename: { [db]: copy } })).rows).toBe(3);
  });

  it('rolls forward to the end: reader and client over TLS, the PEM files private and removed after', async () => {
    const events: PitrEvent[] = [];
    let during: { dir: number; key: number; files: string[] } | null = null;
    const result = await pitr(
      { from: out, source: source(), sourceTls: sourceTls(), target: target(), targetTls: targetTls(), rename: { [db]: copy }, until: 'end', noBinlog: true },
      {
        onEvent: (e) => {
          events.push(e);
          const tlsDir = tlsDirOf(events);
          if (e.type === 'replay-started' && tlsDir) during = { dir: statSync(tlsDir).mode & 0o777, key: statSync(path.join(tlsDir, 'source-key.pem')).mode & 0o777, files: readdirSync(tlsDir).sort() };
        },
      },
    );
    expect(result.transactions).toBeGreaterThan(0);
    expect(await rows(copy)).toEqual(await rows(db));
    expect(await rows(copy)).toContainEqual({ id: 4, name: 'after the dump' });

    // The client programs got the TLS options, the PEM as files in a private directory.
    const run = result.plan.runs[0]!;
    expect(run.readerArgs).toContain('--ssl-verify-server-cert');
    expect(result.plan.clientArgs).toContain('--ssl-verify-server-cert');
    expect(during).toEqual({ dir: 0o700, key: 0o600, files: ['source-ca.pem', 'source-cert.pem', 'source-key.pem', 'target-ca.pem', 'target-cert.pem', 'target-key.pem'] });
    expect(existsSync(tlsDirOf(events)!)).toBe(false);
    // The printed commands name the files by variable, as the passwords.
    expect(result.plan.commands[0]).toContain('--ssl-key="$PARADUMP_SOURCE_SSL_KEY"');
    expect(result.plan.commands.at(-1)).toContain('--ssl-key="$PARADUMP_TARGET_SSL_KEY"');
    for (const secret of [keyLine(), 'PRIVATE KEY', 'pw@']) expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('removes the PEM files when the replay fails, and says nothing of the key', async () => {
    const events: PitrEvent[] = [];
    // A fresh copy: the first one has been rolled forward already (a second replay is refused).
    await restore({ from: out, target: target(), tls: targetTls(), rename: { [db]: `${copy}_f` } });
    const error = await pitr(
      { from: out, source: source(), sourceTls: sourceTls(), target: target(), targetTls: targetTls(), rename: { [db]: `${copy}_f` }, until: 'end', clientTool: 'false' },
      { onEvent: (e) => events.push(e) },
    ).catch((e: unknown) => e);
    expect(isParadumpError(error)).toBe(true);
    expect(events.at(-1)?.type).toBe('run-failed');
    const tlsDir = tlsDirOf(events);
    expect(tlsDir).not.toBeNull();
    expect(existsSync(tlsDir!)).toBe(false);
    expect(JSON.stringify([events, (error as Error).message, (error as { details?: unknown }).details])).not.toContain(keyLine());
  });

  it('refuses verify-ca when the certificate does not name the host (the MariaDB client cannot check the CA alone)', async () => {
    const byName = `mysql://tls_pitr_x509:pw@localhost:${server.port}`;
    const error = await pitr({ from: out, source: source(), sourceTls: sourceTls(), target: byName, targetTls: targetTls(), rename: { [db]: copy }, until: 'end', dryRun: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TLS_FAILED', details: { tls: 'name-mismatch' }, message: expect.stringMatching(/the SQL client .*TLS failed \(verify-ca\): the MariaDB client programs cannot check the CA/) });
  });

  it('the CLI takes --source-ssl-* and --target-ssl-*; a dry run shows placeholders, writes no PEM, prints no key', async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('paradump-client-tls-'));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stdout.on('data', (d) => (text += d));
    stderr.on('data', (d) => (text += d));
    const flags = (side: string, mode: string) => [`--${side}-ssl-mode`, mode, `--${side}-ssl-ca`, file('ca.pem'), `--${side}-ssl-cert`, file('client.pem'), `--${side}-ssl-key`, file('client-key.pem')];
    const args = ['pitr', '--from', out, '--source', source(), ...flags('source', 'verify-identity'), '--target', target(), ...flags('target', 'verify-ca'), '--rename', `${db}:${copy}`, '--until', 'end'];
    const code = await main([...args, '--dry-run'], { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
    expect(code, text).toBe(0);
    expect(text).toMatch(/mariadb-binlog .*--ssl --ssl-ca="\$PARADUMP_SOURCE_SSL_CA" --ssl-verify-server-cert --ssl-cert="\$PARADUMP_SOURCE_SSL_CERT" --ssl-key="\$PARADUMP_SOURCE_SSL_KEY"/);
    expect(text).toMatch(/^MYSQL_PWD="\$PARADUMP_TARGET_PASSWORD" mariadb .*--ssl --ssl-ca="\$PARADUMP_TARGET_SSL_CA" --ssl-verify-server-cert .*--ssl-key="\$PARADUMP_TARGET_SSL_KEY" --binary-mode/m);
    for (const secret of [keyLine(), 'PRIVATE KEY', 'BEGIN CERTIFICATE', ':pw@']) expect(text).not.toContain(secret);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('paradump-client-tls-'))).toEqual(before);
    // Without TLS to the target, the REQUIRE X509 account is refused before any replay.
    const plainTarget = await main(['pitr', '--from', out, '--source', source(), ...flags('source', 'verify-identity'), '--target', target(), '--rename', `${db}:${copy}`, '--until', 'end', '--quiet'], {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
    });
    expect(plainTarget).toBe(1);
    expect(text).toMatch(/Access denied/i);
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

  it('a restore with roll forward between saved TLS servers: the binlog reader and SQL client use their settings', async () => {
    process.env.PARADUMP_DUMP_ROOT = path.join(dir, 'dumps');
    const { startDump } = await import('../../lib/runs/start-dump.ts');
    const { startRestore } = await import('../../lib/runs/start-restore.ts');
    const { openRunStream } = await import('../../lib/runs/open-run-stream.ts');
    const { getLiveRun } = await import('../../lib/runs/registry.ts');
    const { loadRunState } = await import('../../lib/runs/load-run-state.ts');
    const { PitrTargetInput } = await import('../../lib/runs/pitr-target.ts');
    const waitForEnd = async (id: string) => void (await new Response(await openRunStream({ id, lastEventId: getLiveRun(id)?.eventId ?? null })).text());
    // The account is created REQUIRE X509 (see the point-in-time describe): no client certificate, no roll forward.
    const saved = await servers.addServer(servers.AddServerInput.parse({ ...form(), name: 'tls pitr', user: 'tls_pitr_x509', password: 'pw' }));
    const db = 'tls_dash';
    const c = await connect(server.uri);
    await c.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.item (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO ${db}.item VALUES (1, 'a'), (2, 'b')`);
    try {
      const dumpRun = await startDump({ serverId: saved.id, databases: [db], tables: [], threads: 1, chunkRows: 100, lock: 'snapshot', compress: 'none', outDir: path.join(dir, 'dumps', 'tls-dash') });
      await waitForEnd(dumpRun.id);
      expect((await loadRunState({ id: dumpRun.id })).status).toBe('succeeded');
      await c.query(`INSERT INTO ${db}.item VALUES (3, 'after the backup')`);
      const { id } = await startRestore({ sourceRunId: dumpRun.id, targetServerId: saved.id, rename: { [db]: `${db}_copy` }, tables: [], threads: 1, verify: true, dropExisting: false, pitr: PitrTargetInput.parse({ kind: 'end' }) });
      await waitForEnd(id);
      const state = await loadRunState({ id });
      expect(state.status, JSON.stringify(state.error)).toBe('succeeded');
      expect(state.pitr).toMatchObject({ status: 'succeeded', replayStarted: true });
      const [copied] = await c.query(`SELECT id, name FROM ${db}_copy.item ORDER BY id`);
      expect(copied).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'after the backup' }]);
      expect(JSON.stringify(state)).not.toContain(pem('client-key.pem').split('\n')[1]!);
    } finally {
      await c.end();
    }
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

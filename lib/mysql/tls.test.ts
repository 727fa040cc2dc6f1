import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateProblem, clientTlsArgs, ConnectionTls, mysqlSslOptions, PEM_MAX_BYTES, privateKeyProblem, tlsProblems } from './tls.ts';
import { TlsFiles } from './tls-files.ts';
import { parseServerUri, withTls } from './uri.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'paradump-pem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(name: string): { cert: string; key: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`], { cwd: dir, stdio: 'ignore' });
  return { cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8'), key: readFileSync(path.join(dir, `${name}.key`), 'utf8') };
}

const a = selfSigned('a');
const b = selfSigned('b');

describe('PEM checks', () => {
  it('accepts certificates, bundles and plain private keys', () => {
    expect(certificateProblem(a.cert, 'CA certificate')).toBeNull();
    expect(certificateProblem(`${a.cert}\n${b.cert}`, 'CA certificate')).toBeNull();
    expect(certificateProblem(a.cert.replaceAll('\n', '\r\n'), 'CA certificate')).toBeNull();
    expect(privateKeyProblem(a.key)).toBeNull();
  });

  it('names what is wrong with text that is not PEM', () => {
    expect(certificateProblem('hello', 'CA certificate')).toMatch(/^The CA certificate is not PEM/);
    expect(certificateProblem(`junk\n${a.cert}`, 'CA certificate')).toMatch(/is not PEM/);
    expect(certificateProblem(a.key, 'CA certificate')).toMatch(/certificates only, not a private key/);
    expect(certificateProblem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'CA certificate')).toMatch(/not a readable X.509 certificate/);
    expect(certificateProblem(a.cert + ' '.repeat(PEM_MAX_BYTES), 'CA certificate')).toMatch(/larger than 64 KiB/);
    expect(privateKeyProblem(a.cert)).toMatch(/must be a private key, not a certificate/);
    expect(privateKeyProblem(`${a.key}${b.key}`)).toMatch(/exactly one/);
    expect(privateKeyProblem('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n')).toMatch(/encrypted/);
    expect(privateKeyProblem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toMatch(/not a readable private key/);
  });
});

describe('TLS settings', () => {
  it('needs a CA for verify-ca, a key with its certificate, and the key of that certificate', () => {
    expect(tlsProblems({ mode: 'verify-ca' })).toEqual([{ field: 'ca', message: 'verify-ca needs a CA certificate' }]);
    expect(tlsProblems({ mode: 'verify-ca', ca: '  \n' })).toEqual([{ field: 'ca', message: 'verify-ca needs a CA certificate' }]);
    expect(tlsProblems({ mode: 'verify-identity' })).toEqual([]);
    expect(tlsProblems({ mode: 'required', cert: a.cert })).toEqual([{ field: 'key', message: 'The client certificate and key go together: add the key' }]);
    expect(tlsProblems({ mode: 'required', key: a.key })).toEqual([{ field: 'cert', message: 'The client certificate and key go together: add the certificate' }]);
    expect(tlsProblems({ mode: 'required', cert: a.cert, key: b.key })).toEqual([{ field: 'key', message: 'The client key does not belong to the client certificate' }]);
    expect(tlsProblems({ mode: 'verify-ca', ca: b.cert, cert: a.cert, key: a.key })).toEqual([]);
    expect(tlsProblems({ mode: 'off', ca: a.cert })).toEqual([{ field: 'mode', message: expect.stringMatching(/TLS is off/) }]);
    expect(tlsProblems({ mode: 'verify-ca', ca: 'not pem' })).toEqual([{ field: 'ca', message: expect.stringMatching(/not PEM/) }]);
  });

  it('parses into the engine option, dropping blank fields', () => {
    expect(ConnectionTls.parse({ mode: 'required', ca: '', cert: ' ', key: '' })).toEqual({ mode: 'required' });
    expect(ConnectionTls.parse({})).toEqual({ mode: 'off' });
    expect(ConnectionTls.parse({ mode: 'verify-ca', ca: `\n${b.cert}\n\n` })).toEqual({ mode: 'verify-ca', ca: b.cert });
    const bad = ConnectionTls.safeParse({ mode: 'verify-ca', cert: a.cert });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['ca', 'verify-ca needs a CA certificate'],
      ['key', 'The client certificate and key go together: add the key'],
    ]);
    expect(ConnectionTls.safeParse({ mode: 'prefer' }).success).toBe(false);
  });

  it('maps each mode to mysql2 ssl options', () => {
    expect(mysqlSslOptions({ mode: 'off' })).toBeUndefined();
    expect(mysqlSslOptions({ mode: 'required' })).toEqual({ rejectUnauthorized: false });
    expect(mysqlSslOptions({ mode: 'verify-ca', ca: b.cert })).toEqual({ ca: b.cert, rejectUnauthorized: true, verifyIdentity: false });
    expect(mysqlSslOptions({ mode: 'verify-identity', ca: b.cert, cert: a.cert, key: a.key })).toEqual({ ca: b.cert, rejectUnauthorized: true, verifyIdentity: true, cert: a.cert, key: a.key });
    // A fresh object each time: mysql2's TLS session cache is keyed on it.
    const tls = { mode: 'required' } as const;
    expect(mysqlSslOptions(tls)).not.toBe(mysqlSslOptions(tls));
  });

  it('lets the option override ?ssl=true, but never switch it off', () => {
    const uri = parseServerUri('mysql://u@h:3306?ssl=true');
    expect(withTls(uri, undefined).tls).toEqual({ mode: 'required' });
    expect(withTls(uri, { mode: 'verify-ca', ca: b.cert }).tls).toEqual({ mode: 'verify-ca', ca: b.cert });
    expect(() => withTls(uri, { mode: 'off' })).toThrow(/\?ssl=true/);
  });
});

describe('TLS for the client programs (point-in-time recovery)', () => {
  const files = { ca: '/t/ca.pem', cert: '/t/cert.pem', key: '/t/key.pem' };
  const args = (tls: ConnectionTls, kind: 'mariadb' | 'mysql' = 'mariadb', certificateNamesHost = true) => clientTlsArgs({ tls, kind, files, certificateNamesHost });

  it('maps each mode to the MariaDB clients\' options, PEM only as file paths', () => {
    expect(args({ mode: 'off' })).toEqual([]);
    expect(args({ mode: 'required' })).toEqual(['--ssl']);
    // A CA with required is not passed: it would make the client check the chain.
    expect(args({ mode: 'required', ca: b.cert, cert: a.cert, key: a.key })).toEqual(['--ssl', '--ssl-cert=/t/cert.pem', '--ssl-key=/t/key.pem']);
    expect(args({ mode: 'verify-identity', ca: b.cert })).toEqual(['--ssl', '--ssl-ca=/t/ca.pem', '--ssl-verify-server-cert']);
    expect(args({ mode: 'verify-identity' })).toEqual(['--ssl', '--ssl-verify-server-cert']);
    expect(args({ mode: 'verify-ca', ca: b.cert })).toEqual(['--ssl', '--ssl-ca=/t/ca.pem', '--ssl-verify-server-cert']);
    for (const tls of [{ mode: 'verify-identity', ca: b.cert, cert: a.cert, key: a.key }, { mode: 'required', cert: a.cert, key: a.key }] as const) {
      expect(args(tls).join(' ')).not.toContain('PRIVATE KEY');
    }
  });

  it('refuses verify-ca when the certificate does not name the host: the MariaDB clients cannot check the CA alone', () => {
    expect(() => clientTlsArgs({ tls: { mode: 'verify-ca', ca: b.cert }, kind: 'mariadb', files, certificateNamesHost: false, label: 'the SQL client' })).toThrow(
      expect.objectContaining({ code: 'TLS_FAILED', details: { tls: 'name-mismatch' }, message: expect.stringMatching(/^the SQL client: TLS failed \(verify-ca\): the MariaDB client programs cannot check the CA without/) }),
    );
  });

  it('maps each mode to --ssl-mode for MySQL\'s clients', () => {
    expect(args({ mode: 'required', ca: b.cert }, 'mysql')).toEqual(['--ssl-mode=REQUIRED']);
    expect(args({ mode: 'verify-ca', ca: b.cert }, 'mysql', false)).toEqual(['--ssl-mode=VERIFY_CA', '--ssl-ca=/t/ca.pem']);
    expect(args({ mode: 'verify-identity', ca: b.cert, cert: a.cert, key: a.key }, 'mysql')).toEqual(['--ssl-mode=VERIFY_IDENTITY', '--ssl-ca=/t/ca.pem', '--ssl-cert=/t/cert.pem', '--ssl-key=/t/key.pem']);
  });

  it('writes PEM to a private directory (0700, files 0600) and removes it', async () => {
    const none = await TlsFiles.write({ source: { mode: 'required' }, target: { mode: 'off' } });
    expect(none.dir).toBeNull();
    expect(none.of('source')).toEqual({});
    await none.remove();

    const written = await TlsFiles.write({ source: { mode: 'verify-identity', ca: b.cert, cert: a.cert, key: a.key }, target: { mode: 'verify-ca', ca: b.cert }, other: undefined });
    const dir = written.dir!;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const source = written.of('source');
    expect(Object.keys(source).sort()).toEqual(['ca', 'cert', 'key']);
    expect(readFileSync(source.key!, 'utf8')).toBe(a.key);
    expect(statSync(source.key!).mode & 0o777).toBe(0o600);
    expect(written.of('target')).toEqual({ ca: path.join(dir, 'target-ca.pem') });
    await written.remove();
    expect(existsSync(dir)).toBe(false);
  });
});

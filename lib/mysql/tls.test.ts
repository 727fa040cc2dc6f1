import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateProblem, ConnectionTls, mysqlSslOptions, PEM_MAX_BYTES, privateKeyProblem, tlsProblems } from './tls.ts';
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

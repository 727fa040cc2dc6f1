import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../core/manifest.ts';
import { buildRestoreScript } from './build-restore-kit.ts';

// Only the fields the kit reads.
const manifest = {
  source: { host: 'db.example', port: 3306, flavor: 'mariadb', version: '10.11.19' },
  startedAt: '2026-11-23T10:00:00Z',
  finishedAt: '2026-11-23T10:01:00Z',
  totals: { tables: 1, chunks: 1, rows: 1, bytes: 1 },
  options: { format: 'sql' },
  consistency: { note: 'one snapshot', binlog: { file: 'binlog.000002', position: 345 }, gtid: '0-1-9' },
} as unknown as Manifest;

const dir = mkdtempSync(path.join(os.tmpdir(), 'paradump-kit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the kit with a stand-in `paradump` that records its arguments, one line per call. */
function runKit(script: string, env: Record<string, string>): string[][] {
  const kit = path.join(dir, 'kit.sh');
  const fake = path.join(dir, 'fake-paradump');
  const log = path.join(dir, 'calls');
  writeFileSync(kit, script);
  writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do printf '%s\\t' "$a"; done >> ${log}\necho >> ${log}\n`);
  chmodSync(fake, 0o755);
  writeFileSync(log, '');
  execFileSync('sh', [kit], { env: { NODE_ENV: 'test', PATH: process.env.PATH ?? '', PARADUMP: fake, ...env } });
  return readFileSync(log, 'utf8').trim().split('\n').map((line) => line.replace(/\t$/, '').split('\t'));
}

describe('restore kit', () => {
  it('passes TLS options only when set, source mode defaulting to the saved server', () => {
    const script = buildRestoreScript({ manifest, outDir: "/dumps/it's here", runId: 'r1', threads: 3, sourceTlsMode: 'verify-identity' });
    expect(script).not.toMatch(/BEGIN|PRIVATE/);
    expect(script).not.toMatch(/local_infile/);
    const tsv = buildRestoreScript({ manifest: { ...manifest, options: { ...manifest.options, format: 'tsv' } }, outDir: '/d', runId: 'r2' });
    expect(tsv).toMatch(/^# Data files are tsv, .*local_infile = ON\.$/m);
    const plain = runKit(script, { PARADUMP_TARGET: 'mysql://u:p@t:3306' });
    expect(plain[1]).toEqual(['restore', '--from', "/dumps/it's here", '--target', 'mysql://u:p@t:3306', '--threads', '3']);
    expect(plain).toHaveLength(3); // no PARADUMP_SOURCE: no pitr

    const tls = runKit(script, {
      PARADUMP_TARGET: 'mysql://u:p@t:3306',
      PARADUMP_SSL_MODE: 'verify-ca',
      PARADUMP_SSL_CA: '/certs/ca with space.pem',
      PARADUMP_SOURCE: 'mysql://u:p@db.example:3306',
      PARADUMP_SOURCE_SSL_CA: '/certs/src-ca.pem',
    });
    expect(tls[1]).toEqual(['restore', '--from', "/dumps/it's here", '--target', 'mysql://u:p@t:3306', '--threads', '3', '--ssl-mode', 'verify-ca', '--ssl-ca', '/certs/ca with space.pem']);
    expect(tls[2]).toEqual(['verify', '--from', "/dumps/it's here", '--target', 'mysql://u:p@t:3306', '--ssl-mode', 'verify-ca', '--ssl-ca', '/certs/ca with space.pem']);
    expect(tls[3]).toEqual([
      'pitr', '--from', "/dumps/it's here", '--source', 'mysql://u:p@db.example:3306', '--target', 'mysql://u:p@t:3306', '--until', 'end',
      '--source-ssl-mode', 'verify-identity', '--source-ssl-ca', '/certs/src-ca.pem',
      '--target-ssl-mode', 'verify-ca', '--target-ssl-ca', '/certs/ca with space.pem',
    ]);
  });

  it('names the dump’s accounts and the flag that creates them, leaving the command as it is', () => {
    const accounts = { list: [{ user: 'app', host: '%', isRole: false, grants: 1, defaultRoles: [] }, { user: 'r', host: '', isRole: true, grants: 1, defaultRoles: [] }] };
    const script = buildRestoreScript({ manifest: { ...manifest, accounts } as unknown as Manifest, outDir: '/dumps/a', runId: 'r2' });
    expect(script).toContain('#    The dump holds 1 users and 1 roles: add --users to create them');
    expect(buildRestoreScript({ manifest, outDir: '/dumps/a', runId: 'r2' })).not.toContain('--users');
    expect(runKit(script, { PARADUMP_TARGET: 'mysql://u:p@t:3306' })[1]).not.toContain('--users');
  });

  it('an encrypted dump: the key file path comes from PARADUMP_KEY_FILE, required, on verify and restore; pitr needs none', () => {
    const encrypted = { ...manifest, encryption: { algorithm: 'aes-256-gcm', keyId: '0123456789abcdef', segmentBytes: 65536 } } as unknown as Manifest;
    const script = buildRestoreScript({ manifest: encrypted, outDir: '/dumps/e', runId: 'r3' });
    expect(() => runKit(script, { PARADUMP_TARGET: 'mysql://u:p@t:3306' })).toThrow();
    const calls = runKit(script, { PARADUMP_TARGET: 'mysql://u:p@t:3306', PARADUMP_KEY_FILE: '/keys/backup key', PARADUMP_SOURCE: 'mysql://u:p@s:3306' });
    expect(calls[0]).toEqual(['verify', '--from', '/dumps/e', '--decrypt-key-file', '/keys/backup key']);
    expect(calls[1]).toEqual(['restore', '--from', '/dumps/e', '--target', 'mysql://u:p@t:3306', '--threads', '4', '--decrypt-key-file', '/keys/backup key']);
    expect(calls[2]).toEqual(['verify', '--from', '/dumps/e', '--target', 'mysql://u:p@t:3306', '--decrypt-key-file', '/keys/backup key']);
    expect(calls[3]).not.toContain('--decrypt-key-file');
    expect(buildRestoreScript({ manifest, outDir: '/dumps/a', runId: 'r2' })).not.toContain('KEY_FILE');
  });
});

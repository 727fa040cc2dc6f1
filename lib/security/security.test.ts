import { mkdtemp, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confineToRoot } from './confine-path.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { AttemptLimiter, SignInLimits } from './rate-limit.ts';
import { decryptSecret, encryptSecret, loadSecretKey } from './secret-box.ts';

const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(path.join(os.tmpdir(), 'paradump-sec-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('secret box', () => {
  it('generates a 0600 key file once and round-trips secrets bound to their context', async () => {
    const keyFile = path.join(await tmp(), 'data', 'secret.key');
    const a = await loadSecretKey({ env: {}, keyFile });
    const b = await loadSecretKey({ env: {}, keyFile });
    expect(a.key.equals(b.key)).toBe(true);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const sealed = encryptSecret(a.key, 'p@ss wörd', 'server:1');
    expect(sealed).not.toContain('p@ss');
    expect(encryptSecret(a.key, 'p@ss wörd', 'server:1')).not.toBe(sealed);
    expect(decryptSecret(a.key, sealed, 'server:1')).toBe('p@ss wörd');
    expect(() => decryptSecret(a.key, sealed, 'server:2')).toThrow(/cannot be decrypted/);
    const other = await loadSecretKey({ env: { PARADUMP_SECRET: 'a long enough passphrase' }, keyFile });
    expect(other.source).toBe('env');
    expect(() => decryptSecret(other.key, sealed, 'server:1')).toThrow(/re-enter/);
    expect(() => decryptSecret(a.key, 'garbage', 'server:1')).toThrow(/not a paradump encrypted secret/);
  });
  it('refuses a short PARADUMP_SECRET and tightens a too-open key file', async () => {
    await expect(loadSecretKey({ env: { PARADUMP_SECRET: 'short' }, keyFile: '/nonexistent/x' })).rejects.toThrow(/at least 16/);
    const keyFile = path.join(await tmp(), 'secret.key');
    await writeFile(keyFile, Buffer.alloc(32, 7).toString('base64'), { mode: 0o644 });
    await loadSecretKey({ env: {}, keyFile });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });
});

describe('password hash', () => {
  it('verifies the right password only, with a salted, self-describing scrypt hash', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await hashPassword('correct horse')).not.toBe(h);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct hors', h)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1$1$1$AA$AA')).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });
});

describe('attempt limiter', () => {
  it('caps failures per account whatever address the client claims', () => {
    let now = 0;
    const limits = new SignInLimits({ windowMs: 60_000, now: () => now });
    // 20 guesses from 20 made-up x-forwarded-for addresses: each address stays under its own 5.
    for (let i = 0; i < 20; i++) {
      expect(limits.check('Admin', `10.0.0.${i}`)).toBeNull();
      limits.recordFailure('Admin', `10.0.0.${i}`);
    }
    expect(limits.check('admin', '10.9.9.9')).toBe(60);
    expect(limits.check('someone-else', '10.0.0.1')).toBeNull();
    // A right password from one address does not clear the account's count.
    limits.reset('admin', '10.0.0.1');
    expect(limits.check('admin', '10.0.0.1')).toBe(60);
    now = 60_001;
    expect(limits.check('admin', '10.9.9.9')).toBeNull();
    for (let i = 0; i < 5; i++) limits.recordFailure('admin', '1.2.3.4');
    expect(limits.check('admin', '1.2.3.4')).toBe(60);
    expect(limits.check('admin', '5.6.7.8')).toBeNull();
  });

  it('allows 5 failures per window, then says how long to wait; success resets', () => {
    let now = 0;
    const limiter = new AttemptLimiter(5, 60_000, () => now);
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('admin|1.2.3.4')).toBeNull();
      limiter.recordFailure('admin|1.2.3.4');
    }
    expect(limiter.check('admin|1.2.3.4')).toBe(60);
    expect(limiter.check('admin|5.6.7.8')).toBeNull();
    now = 30_000;
    expect(limiter.check('admin|1.2.3.4')).toBe(30);
    now = 60_001;
    expect(limiter.check('admin|1.2.3.4')).toBeNull();
    limiter.recordFailure('x');
    limiter.reset('x');
    expect(limiter.check('x')).toBeNull();
  });
});

describe('confineToRoot', () => {
  it('keeps paths inside the root and refuses escapes', async () => {
    const root = await tmp();
    await mkdir(path.join(root, 'inside'));
    expect(await confineToRoot(root, 'backups/today')).toBe(path.join(root, 'backups/today'));
    expect(await confineToRoot(root, path.join(root, 'x'))).toBe(path.join(root, 'x'));
    for (const bad of ['../etc', '/etc', 'a/../../x', 'a\0b']) {
      await expect(confineToRoot(root, bad)).rejects.toThrow(/inside|NUL/);
    }
    await symlink('/tmp', path.join(root, 'inside', 'out'));
    await expect(confineToRoot(root, 'inside/out/x')).rejects.toThrow(/through a link/);
  });
});

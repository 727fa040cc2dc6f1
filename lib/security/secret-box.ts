import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Passwords of saved servers are encrypted at rest with AES-256-GCM. The key comes from
 * PARADUMP_SECRET or, when unset, from a key file generated on first start (mode 0600). Losing the
 * key means re-entering the passwords (and TLS client keys): without it they cannot be decrypted.
 */
export class SecretBoxError extends Error {
  constructor(
    readonly code: 'KEY_FILE_UNREADABLE' | 'KEY_TOO_SHORT' | 'CIPHERTEXT_INVALID' | 'WRONG_KEY',
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const VERSION = 'v1';

export interface SecretKey {
  key: Buffer;
  source: 'env' | 'file';
}

/** PARADUMP_SECRET (at least 16 characters) or the key file, created with 0600 if missing. */
export async function loadSecretKey({ env = process.env, keyFile }: { env?: Record<string, string | undefined>; keyFile: string }): Promise<SecretKey> {
  const fromEnv = env['PARADUMP_SECRET'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new SecretBoxError('KEY_TOO_SHORT', 'PARADUMP_SECRET must be at least 16 characters');
    // A passphrase of any length becomes a 256-bit key; domain-separated so it is used for nothing else.
    return { key: createHash('sha256').update('paradump secret-box v1\0').update(fromEnv).digest(), source: 'env' };
  }
  await mkdir(path.dirname(keyFile), { recursive: true });
  try {
    // 'wx': only the first of two racing starts creates it.
    const fh = await open(keyFile, 'wx', 0o600);
    try {
      await fh.writeFile(randomBytes(32).toString('base64') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new SecretBoxError('KEY_FILE_UNREADABLE', `cannot create the key file ${keyFile}: ${(error as Error).message}`);
  }
  let text: string;
  try {
    if (((await stat(keyFile)).mode & 0o077) !== 0) await chmod(keyFile, 0o600);
    text = (await readFile(keyFile, 'utf8')).trim();
  } catch (error) {
    throw new SecretBoxError('KEY_FILE_UNREADABLE', `cannot read the key file ${keyFile}: ${(error as Error).message}`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretBoxError('KEY_FILE_UNREADABLE', `the key file ${keyFile} does not hold a 256-bit key`);
  return { key, source: 'file' };
}

/** `v1:<iv>:<tag>:<ciphertext>` (base64url). `context` (e.g. the server's id) is bound as AAD. */
export function encryptSecret(key: Buffer, plaintext: string, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

export function decryptSecret(key: Buffer, sealed: string, context = ''): string {
  const parts = sealed.split(':');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('CIPHERTEXT_INVALID', 'not a paradump encrypted secret');
  const [, iv, tag, ct] = parts as [string, string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('WRONG_KEY', 'the stored secret (a server password or TLS client key) cannot be decrypted with this key (was PARADUMP_SECRET or the key file changed?); re-enter it');
  }
}

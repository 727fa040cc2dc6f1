import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ParadumpError } from './errors.ts';

/** A dump encryption key: the 32 key bytes and their public id (recorded in the manifest, never the key). */
export interface DumpKey {
  readonly key: Buffer;
  /** First 16 hex digits of sha256("paradump-key-id" + key). */
  readonly id: string;
}

export const KEY_BYTES = 32;

export function keyId(key: Buffer): string {
  return createHash('sha256').update('paradump-key-id').update(key).digest('hex').slice(0, 16);
}

function invalid(source: string, why: string): ParadumpError {
  return new ParadumpError('KEY_FILE_INVALID', `${source} is not a paradump key: ${why}; a key file holds 32 raw bytes, 64 hex digits or the base64 of 32 bytes (make one with: openssl rand -hex 32 > KEY)`, { details: { file: source, reason: why } });
}

/** A key from a key file's content: 32 raw bytes, 64 hex digits, or base64 of 32 bytes (whitespace around trimmed). */
export function parseDumpKey(content: Buffer, source = 'the key'): DumpKey {
  if (content.length === KEY_BYTES) return { key: Buffer.from(content), id: keyId(content) };
  const text = content.toString('latin1').trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) key = Buffer.from(text, 'base64');
  if (key?.length === KEY_BYTES) return { key, id: keyId(key) };
  throw invalid(source, content.length === 0 ? 'it is empty' : `its ${content.length} bytes are neither 32 raw bytes, 64 hex digits nor base64 of 32 bytes`);
}

/** Reads a key file; KEY_FILE_INVALID when it cannot be read or holds no key. */
export async function readDumpKey(file: string): Promise<DumpKey> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    throw new ParadumpError('KEY_FILE_INVALID', `cannot read the key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { details: { file, reason: 'UNREADABLE' }, cause: error });
  }
  try {
    return parseDumpKey(content, file);
  } finally {
    content.fill(0);
  }
}

/** The key an option names: a key file path, or the key itself (32 bytes, or as text like a key file). */
export async function resolveDumpKey(option: { keyFile?: string | undefined; key?: Buffer | string | undefined } | undefined | null): Promise<DumpKey | null> {
  if (!option) return null;
  if (option.key !== undefined) return parseDumpKey(typeof option.key === 'string' ? Buffer.from(option.key, 'latin1') : option.key, 'the given key');
  if (option.keyFile !== undefined) return readDumpKey(option.keyFile);
  return null;
}

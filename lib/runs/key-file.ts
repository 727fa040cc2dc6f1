import path from 'node:path';
import { z } from 'zod';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import { readDumpKey } from '../core/dump-key.ts';
import type { StoredDumpOptions } from './schemas.ts';

/**
 * A form's key file field: an absolute path on the machine that runs the dump (the key itself never
 * crosses a form, so it is never in a request body, a log line or the store). Empty: no key.
 */
export const KeyFilePath = z
  .string()
  .trim()
  .max(4096, { error: 'At most 4096 characters' })
  .refine((p) => p === '' || path.isAbsolute(p), { error: 'An absolute path on the server, e.g. /etc/paradump/backup.key' })
  .transform((p) => (p === '' ? undefined : p))
  .optional();

/**
 * Reads and parses the key file a form names, before anything is saved, and returns the key's id
 * (the key is wiped). An unreadable file or one holding no key is KEY_FILE_INVALID at `field`.
 */
export async function keyIdOfFile({ keyFile, field }: { keyFile: string; field: string }): Promise<string> {
  try {
    const key = await readDumpKey(keyFile);
    key.key.fill(0);
    return key.id;
  } catch (error) {
    if (isParadumpError(error, 'KEY_FILE_INVALID')) throw new ParadumpError(error.code, error.message, { details: { ...error.details, path: field }, cause: error });
    throw error;
  }
}

/** A stored run's options as the engine takes them: the key as `encryption: { keyFile }` (the engine reads it), the id left out. */
export function engineOptions(options: StoredDumpOptions): Omit<StoredDumpOptions, 'encryption'> & { encryption?: { keyFile: string } } {
  const { encryption, ...request } = options;
  return { ...request, ...(encryption ? { encryption: { keyFile: encryption.keyFile } } : {}) };
}

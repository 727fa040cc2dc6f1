import { randomBytes } from 'node:crypto';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import type { StorageTarget } from '../storage/target.ts';

/**
 * Lists, writes and deletes at a target before it is saved, so wrong credentials, a missing bucket
 * or a missing permission are found at the form (each its STORAGE_* code), not at the first copy.
 * Works in a probe folder of its own: the target's location may hold backups already.
 */
export async function probeTarget({ open }: { open: (under: string) => Promise<StorageTarget> }): Promise<void> {
  const probe = await open(`.paradump-probe-${randomBytes(4).toString('hex')}`);
  try {
    // An empty prefix: a listing, a probe object written and deleted (lib/storage's own check).
    await probe.prepare();
    await probe.put('probe.txt', 'paradump probe\n');
    if ((await probe.list()).length !== 1) throw new ParadumpError('STORAGE_FAILED', `${probe.location}: the probe object was written but is not listed`, { details: { operation: 'list', location: probe.location } });
    await probe.deleteAll();
  } catch (error) {
    if (isParadumpError(error)) throw error;
    // A local directory that cannot be made or written (EACCES, EROFS…).
    throw new ParadumpError('OUTPUT_UNWRITABLE', `${probe.location} cannot be written: ${(error as Error).message}`, { details: { path: 'location', location: probe.location }, cause: error });
  }
}

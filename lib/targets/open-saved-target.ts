import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { badOption } from '../core/errors.ts';
import { dumpRoot } from '../runs/dump-root.ts';
import { confineToRoot, PathConfinementError } from '../security/confine-path.ts';
import { openTarget } from '../storage/open-target.ts';
import type { S3Settings } from '../storage/settings.ts';
import type { StorageTarget } from '../storage/target.ts';
import { openTargetSecret } from './target-secret.ts';

/** What opening a saved target needs from its row. */
export interface SavedTargetRow {
  id: string;
  kind: string;
  location: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKeySealed: string;
}

/** Where a local target may be: the dump root, or one of PARADUMP_TARGET_ROOTS (path-list separated). */
export function targetRoots(): string[] {
  const extra = (process.env.PARADUMP_TARGET_ROOTS ?? '').split(path.delimiter).filter(Boolean);
  return [dumpRoot(), ...extra.map((r) => path.resolve(r))];
}

/**
 * A local target's directory, resolved inside one of the allowed roots (the dashboard must not be
 * made to write anywhere its user can): BAD_OPTION on `location` otherwise.
 */
export async function confineTargetDir(requested: string): Promise<string> {
  let last = '';
  await mkdir(dumpRoot(), { recursive: true });
  for (const root of targetRoots()) {
    // A relative path means the dump root; an absolute one is checked against every root.
    if (!path.isAbsolute(requested) && root !== dumpRoot()) continue;
    try {
      return await confineToRoot(root, requested);
    } catch (error) {
      if (!(error instanceof PathConfinementError)) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      last = error.message;
    }
  }
  throw badOption('location', `${last || 'the directory is outside the allowed roots'} (the dump root, or PARADUMP_TARGET_ROOTS)`);
}

/** The S3 settings of a saved target, its secret opened (or `secret`, for a target not saved yet). */
export async function savedTargetSettings(row: SavedTargetRow, secret?: string): Promise<S3Settings> {
  secret ??= await openTargetSecret({ targetId: row.id, sealed: row.secretAccessKeySealed });
  return {
    ...(row.endpoint ? { endpoint: row.endpoint } : {}),
    ...(row.region ? { region: row.region } : {}),
    ...(row.accessKeyId && secret ? { accessKeyId: row.accessKeyId, secretAccessKey: secret } : {}),
  };
}

/** `under` (a folder name, or '' for the target's own location) below the target's location. */
export function locationUnder(row: Pick<SavedTargetRow, 'kind' | 'location'>, under: string): string {
  if (under === '') return row.location;
  return row.kind === 's3' ? `${row.location.replace(/\/+$/, '')}/${under}` : path.join(row.location, under);
}

/** The storage target at `location` (the target's own, or a copy's below it), with the target's credentials. */
export async function openSavedTarget(row: SavedTargetRow, location: string, secret?: string): Promise<StorageTarget> {
  if (row.kind === 'local') return openTarget(await confineTargetDir(location));
  return openTarget(location, await savedTargetSettings(row, secret));
}

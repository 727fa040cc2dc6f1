import type { DumpKey } from '../core/dump-key.ts';
import { encryptBuffer } from '../core/encrypted-file.ts';
import type { StorageTarget } from './target.ts';

const SEALING = Symbol('paradump.sealing');

/**
 * The target an encrypted dump writes its small files through (schema, object files): `put`
 * encrypts the whole file first. Streamed data files are encrypted by the dump's pipeline before
 * they are hashed (the manifest records the stored bytes' sha256), so `openWrite` passes through;
 * so does everything else. The manifest never goes through this: it is written plain to the inner target.
 */
export function sealingTarget(inner: StorageTarget, key: DumpKey): StorageTarget {
  const sealed: StorageTarget & { [SEALING]: true } = {
    [SEALING]: true,
    location: inner.location,
    remote: inner.remote,
    put: (file, content) => inner.put(file, encryptBuffer(key, content)),
    openRead: (file, options) => inner.openRead(file, options),
    readAll: (file) => inner.readAll(file),
    stat: (file) => inner.stat(file),
    prepare: () => inner.prepare(),
    prepareResume: () => inner.prepareResume(),
    openWrite: (file) => inner.openWrite(file),
    list: (under) => inner.list(under),
    delete: (files) => inner.delete(files),
    deleteAll: () => inner.deleteAll(),
    abortUnfinished: () => inner.abortUnfinished(),
    holdsBackup: () => inner.holdsBackup(),
    matches: (file, bytes, sha256) => inner.matches(file, bytes, sha256),
  };
  return sealed;
}

/** Whether small files must go through `put` (a local dump otherwise writes schema files itself, unsynced). */
export function isSealing(target: StorageTarget): boolean {
  return (target as unknown as Record<symbol, unknown>)[SEALING] === true;
}

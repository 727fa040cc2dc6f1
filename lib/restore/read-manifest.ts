import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolveDumpKey, type DumpKey } from '../core/dump-key.ts';
import type { KeyOption } from '../core/dump-options.ts';
import { ParadumpError } from '../core/errors.ts';
import { Manifest, MANIFEST_FILE, MANIFEST_VERSIONS } from '../core/manifest.ts';
import { openTarget } from '../storage/open-target.ts';
import type { S3Settings } from '../storage/settings.ts';
import type { DumpSource } from '../storage/target.ts';

export interface LoadedManifest {
  /** The dump's location: an absolute directory or `s3://bucket/prefix` (`openTarget` finds its source). */
  dir: string;
  manifest: Manifest;
  /** sha256 of manifest.json as read: a resumed restore must use the very same dump. */
  sha256: string;
}

/**
 * Reads and validates `manifest.json` of a dump directory or `s3://bucket/prefix` (opened with
 * `storage`, so the files read after it find the same target). Refuses, with the reason, a location
 * that is not a dump, an incomplete dump (no manifest yet), a manifest of another version, or one
 * that does not match the schema.
 */
export async function readManifest(dirInput: string, storage?: S3Settings): Promise<LoadedManifest> {
  const source = openTarget(dirInput, storage);
  const dir = source.location;
  if (!source.remote) await checkDirectory(dir);
  const text = await source.readAll(MANIFEST_FILE).catch((error: unknown) => {
    if (error instanceof ParadumpError) throw error;
    throw new ParadumpError('MANIFEST_INVALID', `cannot read ${MANIFEST_FILE} in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  });
  if (!text) {
    const unfinished = await looksUnfinished(source);
    throw new ParadumpError(
      'MANIFEST_INVALID',
      unfinished ? `${dir} has no ${MANIFEST_FILE}: the dump did not finish (resume or redo the dump first)` : `${dir} has no ${MANIFEST_FILE}: not a paradump dump directory`,
      { details: { reason: unfinished ? 'DUMP_INCOMPLETE' : 'NOT_A_DUMP' } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new ParadumpError('MANIFEST_INVALID', `${MANIFEST_FILE} in ${dir} is not valid JSON: ${(error as Error).message}`, { details: { reason: 'NOT_JSON' }, cause: error });
  }
  const version = (json as { version?: unknown } | null)?.version;
  if ((json as { format?: unknown } | null)?.format === 'paradump' && !(MANIFEST_VERSIONS as readonly unknown[]).includes(version)) {
    throw new ParadumpError('MANIFEST_INVALID', `${MANIFEST_FILE} is version ${JSON.stringify(version)}; this paradump reads versions ${MANIFEST_VERSIONS.join(', ')}`, { details: { reason: 'VERSION', version } });
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ParadumpError('MANIFEST_INVALID', `${MANIFEST_FILE} does not match the manifest schema at ${where || '(root)'}: ${issue.message}`, { details: { reason: 'SCHEMA', path: where } });
  }
  return { dir, manifest: parsed.data, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * The key an encrypted dump is read with, checked against the manifest's key id: KEY_REQUIRED
 * without one, KEY_MISMATCH for another key. Called right after the manifest is read, before
 * anything on a target is touched. Null for a dump that is not encrypted (a key given is unused).
 */
export async function keyForManifest(manifest: Manifest, option: KeyOption | undefined, location: string): Promise<DumpKey | null> {
  const enc = manifest.encryption;
  if (!enc) return null;
  const key = await resolveDumpKey(option);
  if (!key) throw new ParadumpError('KEY_REQUIRED', `the dump in ${location} is encrypted (key ${enc.keyId}): give its key file (--decrypt-key-file)`, { details: { keyId: enc.keyId } });
  if (key.id !== enc.keyId) throw new ParadumpError('KEY_MISMATCH', `the dump in ${location} is encrypted with key ${enc.keyId}; the given key is ${key.id}: nothing was read or changed`, { details: { expected: enc.keyId, given: key.id } });
  return key;
}

async function checkDirectory(dir: string): Promise<void> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new ParadumpError('MANIFEST_INVALID', `${dir} is not a directory`, { details: { reason: 'NOT_A_DUMP' } });
  } catch (error) {
    if (error instanceof ParadumpError) throw error;
    throw new ParadumpError('MANIFEST_INVALID', `dump directory ${dir} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { details: { reason: 'NOT_A_DUMP' }, cause: error });
  }
}

/** A local dump keeps its journal beside its files; a remote one has objects but no manifest. */
async function looksUnfinished(source: DumpSource): Promise<boolean> {
  if (!source.remote) return (await source.stat('journal.ndjson')) !== null;
  return (await openTarget(source.location).list()).length > 0;
}

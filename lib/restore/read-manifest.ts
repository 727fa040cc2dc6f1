import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';
import { Manifest, MANIFEST_FILE, MANIFEST_VERSIONS } from '../core/manifest.ts';

export interface LoadedManifest {
  dir: string;
  manifest: Manifest;
  /** sha256 of manifest.json as read: a resumed restore must use the very same dump. */
  sha256: string;
}

/**
 * Reads and validates `manifest.json` of a dump directory. Refuses, with the reason, a directory that
 * is not a dump, an incomplete dump (no manifest yet), a manifest of another version, or one that
 * does not match the schema.
 */
export async function readManifest(dirInput: string): Promise<LoadedManifest> {
  const dir = path.resolve(dirInput);
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new ParadumpError('MANIFEST_INVALID', `${dir} is not a directory`, { details: { reason: 'NOT_A_DUMP' } });
  } catch (error) {
    if (error instanceof ParadumpError) throw error;
    throw new ParadumpError('MANIFEST_INVALID', `dump directory ${dir} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { details: { reason: 'NOT_A_DUMP' }, cause: error });
  }
  let text: Buffer;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      let journal = false;
      try {
        await stat(path.join(dir, 'journal.ndjson'));
        journal = true;
      } catch {
        // not a dump at all
      }
      throw new ParadumpError(
        'MANIFEST_INVALID',
        journal ? `${dir} has no ${MANIFEST_FILE}: the dump did not finish (resume or redo the dump first)` : `${dir} has no ${MANIFEST_FILE}: not a paradump dump directory`,
        { details: { reason: journal ? 'DUMP_INCOMPLETE' : 'NOT_A_DUMP' } },
      );
    }
    throw new ParadumpError('MANIFEST_INVALID', `cannot read ${MANIFEST_FILE} in ${dir} (${code ?? 'error'})`, { cause: error });
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

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { badOption } from '../core/errors.ts';
import { confineToRoot, PathConfinementError } from '../security/confine-path.ts';

/**
 * The one directory the dashboard writes dumps under and restores from: PARADUMP_DUMP_ROOT, else
 * PARADUMP_DUMPS_DIR, else `./data/dumps` (under the data dir).
 */
export function dumpRoot(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PARADUMP_DUMP_ROOT || process.env.PARADUMP_DUMPS_DIR || path.join(process.cwd(), 'data', 'dumps'));
}

/**
 * An output (or restore source) directory, resolved inside the dump root: relative paths are taken
 * from the root; absolute paths elsewhere, `..` escapes, NUL bytes and links leading out are refused
 * as BAD_OPTION on `field`, which the form shows at that field.
 */
export async function confineDumpDir({ requested, field = 'outDir' }: { requested: string; field?: string }): Promise<string> {
  const root = dumpRoot();
  await mkdir(root, { recursive: true });
  try {
    return await confineToRoot(root, requested);
  } catch (error) {
    if (error instanceof PathConfinementError) throw badOption(field, error.message);
    throw error;
  }
}

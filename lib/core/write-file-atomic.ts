import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ParadumpError } from './errors.ts';

/** Resolves `relative` inside `root`, refusing anything that would land outside it. */
export function insideDir(root: string, relative: string): string {
  const full = path.resolve(root, relative);
  const base = path.resolve(root);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new ParadumpError('INTERNAL', `refusing a path outside the dump directory: ${relative}`);
  }
  return full;
}

/**
 * Writes a small file via temp + fsync + rename, so a reader never sees half of it. `mode` (e.g.
 * 0o600 for secrets) is set on the temp file before anything is written to it.
 */
export async function writeFileAtomic(root: string, relative: string, content: string | Buffer, options: { mode?: number } = {}): Promise<void> {
  const full = insideDir(root, relative);
  await mkdir(path.dirname(full), { recursive: true });
  const tmp = `${full}.partial`;
  const fh = await open(tmp, 'w', options.mode ?? 0o666);
  try {
    if (options.mode !== undefined) await fh.chmod(options.mode);
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, full);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

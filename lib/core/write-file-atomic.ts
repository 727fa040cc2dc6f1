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

/** Writes a small file via temp + fsync + rename, so a reader never sees half of it. */
export async function writeFileAtomic(root: string, relative: string, content: string | Buffer): Promise<void> {
  const full = insideDir(root, relative);
  await mkdir(path.dirname(full), { recursive: true });
  const tmp = `${full}.partial`;
  const fh = await open(tmp, 'w');
  try {
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

import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';

/** Same default as prisma.config.ts, so the CLI and the app agree on where the store is. */
export const DEFAULT_DATABASE_URL = 'file:./data/paradump.db';

/**
 * Turns a Prisma-style SQLite URL (`file:./data/paradump.db`, `file:/abs/path.db`) into an absolute
 * file path. Relative paths are resolved against `cwd`, the project root under `next start`.
 */
export function resolveDatabasePath({
  url = process.env.PARADUMP_DATABASE_URL || DEFAULT_DATABASE_URL,
  cwd = process.cwd(),
}: { url?: string; cwd?: string } = {}): string {
  if (!url.startsWith('file:')) {
    throw new ParadumpError('BAD_DATABASE_URL', `PARADUMP_DATABASE_URL must be a file: URL here, got "${url.replace(/:[^:@/]*@/, ':***@')}"`, {
      details: { url },
    });
  }
  // Prisma's SQLite URLs may carry connection parameters after `?`; the file path is what precedes them.
  const file = url.slice('file:'.length).split('?')[0] ?? '';
  if (file === '') {
    throw new ParadumpError('BAD_DATABASE_URL', 'PARADUMP_DATABASE_URL names no file', { details: { url } });
  }
  return path.resolve(cwd, file);
}

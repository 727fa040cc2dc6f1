import { realpath } from 'node:fs/promises';
import path from 'node:path';

export class PathConfinementError extends Error {
  readonly code = 'OUTSIDE_ROOT';
  constructor(message: string) {
    super(message);
    this.name = 'PathConfinementError';
  }
}

/**
 * Resolves an output directory the dashboard was asked for inside `root`, refusing absolute paths
 * elsewhere, `..` escapes, NUL bytes and symlinks (in the existing part of the path) that lead out.
 */
export async function confineToRoot(root: string, requested: string): Promise<string> {
  if (requested.includes('\0')) throw new PathConfinementError('the path contains a NUL byte');
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, requested);
  if (!isInside(realRoot, candidate)) throw new PathConfinementError(`the path must be inside ${realRoot}`);
  // Follow whatever part of the path exists already: a symlink inside the root may point outside.
  let existing = candidate;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isInside(realRoot, real)) throw new PathConfinementError(`the path leads outside ${realRoot} through a link`);
      break;
    } catch (error) {
      if (error instanceof PathConfinementError) throw error;
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  return candidate;
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

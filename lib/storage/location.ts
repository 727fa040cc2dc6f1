import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';

export type Location = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; prefix: string; url: string };

/** Whether a dump location names an object store (`s3://bucket/prefix`) rather than a directory. */
export function isRemoteLocation(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

/**
 * `s3://bucket/prefix` or a directory. A bucket name follows S3's rules (3–63 lowercase letters,
 * digits, dots, hyphens); the prefix is kept without leading or trailing slashes.
 */
export function parseLocation(location: string): Location {
  if (!isRemoteLocation(location)) return { kind: 'local', dir: path.resolve(location) };
  const rest = location.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ParadumpError('BAD_OPTION', `${location}: "${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)`, { details: { path: 'outDir', problem: 'bad bucket name' } });
  }
  if (prefix.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    if (prefix !== '') throw new ParadumpError('BAD_OPTION', `${location}: the prefix may not hold empty, "." or ".." parts`, { details: { path: 'outDir', problem: 'bad prefix' } });
  }
  return { kind: 's3', bucket, prefix, url: `s3://${bucket}${prefix ? `/${prefix}` : ''}` };
}

/** The object key of a backup's file; refuses a path that would leave the prefix. */
export function objectKey(prefix: string, file: string): string {
  const parts = file.split('/');
  if (file.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new ParadumpError('INTERNAL', `refusing a path outside the backup: ${file}`);
  }
  return prefix ? `${prefix}/${file}` : file;
}

/** A local folder of its own per remote location, under ~/.paradump/<kind>/, named so one can tell. */
function localFolderFor(kind: string, url: string): string {
  const readable = url.slice('s3://'.length).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 12);
  return path.join(process.env.PARADUMP_HOME ?? path.join(os.homedir(), '.paradump'), kind, `${readable}-${hash}`);
}

/**
 * Where a dump to object storage keeps what resume needs and S3 cannot do (an fsynced, appended
 * journal; the request and plan before they are uploaded). Data files never land there.
 */
export function defaultWorkDir(location: string): string {
  const parsed = parseLocation(location);
  return parsed.kind === 'local' ? parsed.dir : localFolderFor('dump-work', parsed.url);
}

/** Where a restore keeps its journal by default: in the dump's directory, or a local folder for S3. */
export function defaultRestoreStateDir(location: string): string {
  const parsed = parseLocation(location);
  return parsed.kind === 'local' ? path.join(parsed.dir, '.paradump-restore') : localFolderFor('restore-state', parsed.url);
}

import { LocalTarget } from './local-target.ts';
import { parseLocation } from './location.ts';
import { S3Target } from './s3-target.ts';
import { resolveS3Settings, type S3Settings } from './settings.ts';
import type { StorageTarget } from './target.ts';

/**
 * Targets by location. The entry points (dump, restore, verify, pitr) open a location with the
 * settings they were given; the files below them (which see only the location string) find the
 * same target here. Kept on globalThis so a dev reload does not open a second client.
 */
const opened: Map<string, StorageTarget> = ((globalThis as { __paradumpTargets?: Map<string, StorageTarget> }).__paradumpTargets ??= new Map());

/**
 * The target for `s3://bucket/prefix` or a directory. With `settings` (or the first time a location
 * is seen) a target is made from them over the `AWS_*` environment; without, the one last opened.
 */
export function openTarget(location: string, settings?: S3Settings): StorageTarget {
  const parsed = parseLocation(location);
  if (parsed.kind === 'local') return new LocalTarget(parsed.dir);
  const known = opened.get(parsed.url);
  if (known && !settings) return known;
  const target = new S3Target(parsed.bucket, parsed.prefix, resolveS3Settings(settings));
  opened.set(parsed.url, target);
  return target;
}

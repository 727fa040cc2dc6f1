import { z } from 'zod';
import { isRemoteLocation, parseLocation } from '../storage/location.ts';

export const TargetKind = z.enum(['local', 's3']);
export type TargetKind = z.infer<typeof TargetKind>;

const text = z.string().trim().default('');

/**
 * The one schema of a saved storage target: the /targets form's fields have these names, and the
 * store saves what it parses (the secret sealed apart). Each backup copied there gets a folder (a
 * prefix) of its own under `location`.
 */
export const StorageTargetInput = z
  .object({
    name: z.string().trim().min(1, { error: 'Enter a name' }).max(100, { error: 'At most 100 characters' }),
    kind: TargetKind,
    /** A directory (inside the dump root or PARADUMP_TARGET_ROOTS), or s3://bucket/prefix. */
    location: z.string().trim().min(1, { error: 'Enter a directory or s3://bucket/prefix' }),
    /** S3 only: for MinIO, Ceph, R2, B2, Wasabi…; '' for AWS (or AWS_ENDPOINT_URL). */
    endpoint: text.refine((v) => v === '' || z.url({ protocol: /^https?$/ }).safeParse(v).success, { error: 'Enter an http:// or https:// URL, or leave it empty for AWS' }),
    region: text,
    accessKeyId: text,
    /** Stored sealed; never sent back to the browser. */
    secretAccessKey: z.string().default(''),
  })
  .superRefine((t, ctx) => {
    const remote = isRemoteLocation(t.location);
    if (t.kind === 's3' && !remote) ctx.addIssue({ code: 'custom', path: ['location'], message: 'An S3 target is s3://bucket/prefix' });
    if (t.kind === 'local' && remote) ctx.addIssue({ code: 'custom', path: ['location'], message: 'A local target is a directory; pick S3 for s3://…' });
    if (t.kind === 's3' && remote) {
      try {
        parseLocation(t.location);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['location'], message: (error as { details?: { problem?: string } }).details?.problem === 'bad bucket name' ? 'Not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)' : 'The prefix may not hold empty, "." or ".." parts' });
      }
    }
    if (t.kind === 's3' && (t.accessKeyId === '') !== (t.secretAccessKey === '')) {
      ctx.addIssue({ code: 'custom', path: [t.accessKeyId === '' ? 'accessKeyId' : 'secretAccessKey'], message: 'Give both the access key id and the secret, or neither (the AWS_* environment is used then)' });
    }
  });
export type StorageTargetInput = z.infer<typeof StorageTargetInput>;

/** A target as pages see it: whether a secret is saved, never the secret. */
export const StorageTargetView = z.object({
  id: z.string(),
  name: z.string(),
  kind: TargetKind,
  location: z.string(),
  endpoint: z.string(),
  region: z.string(),
  accessKeyId: z.string(),
  hasSecret: z.boolean(),
  createdAt: z.date(),
});
export type StorageTargetView = z.infer<typeof StorageTargetView>;

export const RunCopyStatus = z.enum(['queued', 'copying', 'verified', 'failed']);
export type RunCopyStatus = z.infer<typeof RunCopyStatus>;

/** One copy of a backup, as the run page shows it. */
export const RunCopyView = z.object({
  id: z.string(),
  targetId: z.string().nullable(),
  targetName: z.string(),
  status: RunCopyStatus,
  location: z.string(),
  bytes: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  startedAt: z.date(),
  verifiedAt: z.date().nullable(),
  deletedAt: z.date().nullable(),
});
export type RunCopyView = z.infer<typeof RunCopyView>;

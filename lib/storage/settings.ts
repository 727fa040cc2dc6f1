import { z } from 'zod';

export const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * How to reach an S3-compatible store. Whatever is not given comes from the usual environment
 * variables (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` / `AWS_DEFAULT_REGION`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). Never written to a manifest,
 * a request file or a run's stored options.
 */
export const S3Settings = z.object({
  /** For MinIO, Ceph, R2, B2, Wasabi…; AWS when absent. Requests use path-style addressing. */
  endpoint: z.url({ error: 'endpoint must be a URL such as https://s3.example.com' }).optional(),
  region: z.string().min(1).optional(),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  sessionToken: z.string().min(1).optional(),
  /** Bytes per multipart part (S3's minimum is 5 MiB). @default 8 MiB */
  partSize: z.number().int().min(MIN_PART_SIZE, { error: 'partSize must be at least 5 MiB (S3’s minimum part size)' }).max(1024 * 1024 * 1024).optional(),
  /** Parts in flight at once, for the whole dump (memory: about (threads + this) × partSize). @default the dump's threads (2 outside a dump) */
  uploadConcurrency: z.number().int().min(1).max(64).optional(),
});
export type S3Settings = z.infer<typeof S3Settings>;

export interface ResolvedS3Settings {
  endpoint: string | undefined;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  partSize: number;
  uploadConcurrency: number;
}

/** Given settings over the environment's. */
export function resolveS3Settings(given: S3Settings | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedS3Settings {
  const s = given ?? {};
  const accessKeyId = s.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = s.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = s.sessionToken ?? (s.accessKeyId ? undefined : env.AWS_SESSION_TOKEN);
  return {
    endpoint: s.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    region: s.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
    partSize: s.partSize ?? 8 * 1024 * 1024,
    uploadConcurrency: s.uploadConcurrency ?? 2,
  };
}

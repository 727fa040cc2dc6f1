import { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedS3Settings } from './settings.ts';

/**
 * An S3 client for any S3-compatible store: path-style addressing (MinIO, Ceph and s3rver serve no
 * virtual hosts), checksums only where S3 requires them (many compatible stores reject the newer
 * CRC headers), a bounded connect timeout so an endpoint that is gone fails instead of hanging.
 */
export function makeS3Client(settings: ResolvedS3Settings): S3Client {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
  // Bucket-level requests go to `/bucket`, not `/bucket/`: both are valid S3 paths, and stores that
  // sign the path they route (s3rver among them) reject the SDK's trailing slash.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 'paradumpBucketPath' },
  );
  return client;
}

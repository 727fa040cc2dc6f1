// A throwaway S3-compatible server (@20minutes/s3rver) for tests: run by test/harness/s3-server.ts as
// a child process, so a test can kill it mid-upload (by PID) and start it again on the same data.
// argv: <directory> <port or 0> <bucket,bucket,…>; prints {"port":N} once it listens.
import S3rver from '@20minutes/s3rver';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const [directory, portArg, bucketsArg] = process.argv.slice(2);
if (!directory || portArg === undefined) throw new TypeError('usage: s3-server-main <directory> <port> <buckets>');
const server = new S3rver({ port: Number(portArg), address: '127.0.0.1', silent: true, directory, configureBuckets: (bucketsArg ?? '').split(',').filter(Boolean).map((name) => ({ name })) });

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
  headers: Record<string, string | undefined>;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
}
const uploadsDir = (bucket: string) => path.join(directory, bucket, '._S3rver_uploads');

/**
 * s3rver 5 routes neither AbortMultipartUpload nor ListMultipartUploads (both answered
 * MethodNotAllowed / NotImplemented); every S3 service paradump targets has them. Served here from
 * s3rver's own upload folders, ahead of its router (these two skip its signature check).
 */
async function multipartExtras(ctx: Ctx, next: () => Promise<void>): Promise<void> {
  const parts = ctx.path.split('/').filter(Boolean).map(decodeURIComponent);
  const bucket = parts[0];
  if (bucket && ctx.method === 'DELETE' && parts.length > 1 && ctx.query.uploadId) {
    await rm(path.join(uploadsDir(bucket), path.basename(ctx.query.uploadId)), { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (bucket && ctx.method === 'GET' && parts.length === 1 && 'uploads' in ctx.query) {
    const prefix = ctx.query.prefix ?? '';
    const ids = await readdir(uploadsDir(bucket)).catch(() => [] as string[]);
    const uploads: string[] = [];
    for (const id of ids) {
      const key = await readFile(path.join(uploadsDir(bucket), id, 'key'), 'utf8').catch(() => null);
      if (key !== null && key.startsWith(prefix)) uploads.push(`<Upload><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(id)}</UploadId></Upload>`);
    }
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket><Prefix>${escapeXml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
    return;
  }
  await next();
  // s3rver's copy with MetadataDirective REPLACE stores the copy request's own Content-Length (0) as
  // the object's, so a HEAD said 0 bytes; the stored file is right, and its length is put back.
  if (bucket && ctx.method === 'PUT' && ctx.headers['x-amz-copy-source'] && ctx.status === 200) {
    const file = ctx.store.getResourcePath(bucket, parts.slice(1).join('/'), 'metadata.json');
    const meta = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    delete meta['content-length'];
    await writeFile(file, JSON.stringify(meta, null, 2));
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

(server as unknown as { middleware: unknown[] }).middleware.unshift(multipartExtras);
const info = (await server.run()) as { port: number };
process.stdout.write(JSON.stringify({ port: info.port }) + '\n');

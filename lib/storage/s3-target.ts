import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ParadumpError } from '../core/errors.ts';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { objectKey } from './location.ts';
import { PartBudget, PartBuffers } from './part-budget.ts';
import { makeS3Client } from './s3-client.ts';
import { isMissing, storageError } from './s3-errors.ts';
import { openS3Writer, SHA256_KEY } from './s3-writer.ts';
import type { ResolvedS3Settings } from './settings.ts';
import type { FileWriter, StorageTarget, StoredFile } from './target.ts';

/** A backup under `s3://bucket/prefix` in an S3-compatible store. */
export class S3Target implements StorageTarget {
  readonly remote = true;
  readonly location: string;
  private readonly client: S3Client;
  private readonly budget: PartBudget;
  private readonly buffers: PartBuffers;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    readonly settings: ResolvedS3Settings,
  ) {
    this.location = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = makeS3Client(settings);
    this.budget = new PartBudget(settings.uploadConcurrency);
    this.buffers = new PartBuffers(settings.partSize, settings.uploadConcurrency);
  }

  private key(file: string): string {
    return objectKey(this.prefix, file);
  }

  private async call<T>(operation: string, run: () => Promise<T>, file?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storageError(error, { operation, location: this.location, ...(file ? { file } : {}) });
    }
  }

  async prepareResume(): Promise<void> {
    // A listing, not HeadBucket: a HEAD answer has no body, so a wrong secret and a missing
    // permission would both be a bare 403; a listing's error names which.
    await this.list(undefined, 1);
  }

  async prepare(): Promise<void> {
    await this.prepareResume();
    const existing = await this.list(undefined, 1);
    if (existing.length > 0) {
      const holds = await this.holdsBackup();
      throw new ParadumpError('OUTPUT_NOT_EMPTY', holds ? `${this.location} already holds a backup (it has a ${MANIFEST_FILE}); choose another prefix` : `${this.location} already holds objects; choose an empty prefix, or --resume an interrupted dump`, {
        details: { reason: holds ? 'HOLDS_BACKUP' : 'NOT_EMPTY', location: this.location },
      });
    }
    // Write, then delete, a probe: a key that may read but not write or delete fails here, not mid-dump.
    const probe = this.key('.paradump-write-test');
    await this.call('write', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: probe, Body: 'ok' })), '.paradump-write-test');
    await this.call('delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: probe })), '.paradump-write-test');
  }

  openWrite(file: string): FileWriter {
    return openS3Writer({ client: this.client, bucket: this.bucket, key: this.key(file), file, location: this.location, budget: this.budget, buffers: this.buffers });
  }

  async put(file: string, content: Buffer | string): Promise<void> {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    const sha256 = createHash('sha256').update(body).digest('hex');
    await this.call('write', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(file), Body: body, Metadata: { [SHA256_KEY]: sha256 } })), file);
  }

  openRead(file: string, options: { start?: number; end?: number } = {}): Readable {
    const range = options.start !== undefined || options.end !== undefined ? `bytes=${options.start ?? 0}-${options.end ?? ''}` : undefined;
    const client = this.client;
    const request = { Bucket: this.bucket, Key: this.key(file), ...(range ? { Range: range } : {}) };
    const call = this.call.bind(this);
    const location = this.location;
    // Lazy: the request goes out when the stream is first read, so callers get a stream at once.
    async function* bytes(): AsyncGenerator<Buffer> {
      const answer = await call('read', () => client.send(new GetObjectCommand(request)), file);
      try {
        for await (const piece of answer.Body as AsyncIterable<Buffer>) yield piece;
      } catch (error) {
        throw storageError(error, { operation: 'read', location, file });
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  async readAll(file: string): Promise<Buffer | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(file) }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError(error, { operation: 'read', location: this.location, file });
    }
  }

  async stat(file: string): Promise<StoredFile | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(file) }));
      return { file, bytes: head.ContentLength ?? 0, sha256: head.Metadata?.[SHA256_KEY] ?? null };
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError(error, { operation: 'read', location: this.location, file });
    }
  }

  async matches(file: string, bytes: number, sha256: string): Promise<boolean> {
    const s = await this.stat(file);
    return s !== null && s.bytes === bytes && s.sha256 === sha256;
  }

  async list(under?: string, limit?: number): Promise<StoredFile[]> {
    const base = this.prefix ? `${this.prefix}/` : '';
    const Prefix = under ? `${base}${under.replace(/\/+$/, '')}/` : base;
    const found: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ...(token ? { ContinuationToken: token } : {}) })));
      // Listings carry no metadata; stat a file for its sha256. (No MaxKeys: a page is cheap, and
      // s3rver fails a listing cut short by one.)
      for (const o of page.Contents ?? []) found.push({ file: o.Key!.slice(base.length), bytes: o.Size ?? 0, sha256: null });
      token = page.IsTruncated && (!limit || found.length < limit) ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async delete(files: readonly string[]): Promise<void> {
    for (let i = 0; i < files.length; i += 1000) {
      const batch = files.slice(i, i + 1000);
      const answer = await this.call('delete', () => this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((f) => ({ Key: this.key(f) })), Quiet: true } })));
      const refused = answer.Errors?.[0];
      if (refused) throw storageError({ name: refused.Code ?? 'DeleteFailed', message: refused.Message }, { operation: 'delete', location: this.location, file: refused.Key?.slice(this.prefix.length + 1) ?? '' });
    }
  }

  async deleteAll(): Promise<number> {
    await this.abortUnfinished();
    const files = await this.list();
    await this.delete(files.map((f) => f.file));
    return files.length;
  }

  async abortUnfinished(): Promise<number> {
    const Prefix = this.prefix ? `${this.prefix}/` : undefined;
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadMarker: string | undefined;
    do {
      const page = await this.call('list uploads', () => this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, ...(Prefix ? { Prefix } : {}), ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadMarker } : {}) })));
      for (const u of page.Uploads ?? []) {
        await this.call('abort upload', () => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key!, UploadId: u.UploadId! })));
        aborted++;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadMarker = page.NextUploadIdMarker;
    } while (keyMarker);
    return aborted;
  }

  async holdsBackup(): Promise<boolean> {
    return (await this.stat(MANIFEST_FILE)) !== null;
  }
}

import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, DeleteObjectCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { Writable } from 'node:stream';
import { giveBackOutput } from '../core/output-buffers.ts';
import type { PartBudget, PartBuffers } from './part-budget.ts';
import { storageError } from './s3-errors.ts';
import type { FileWriter } from './target.ts';

export const SHA256_KEY = 'paradump-sha256';
export const BYTES_KEY = 'paradump-bytes';
/** Where a multipart upload goes before it is complete and copied to its name. */
export const UPLOAD_SUFFIX = '.upload';

interface WriterContext {
  client: S3Client;
  bucket: string;
  key: string;
  file: string;
  location: string;
  budget: PartBudget;
  buffers: PartBuffers;
}

/**
 * Streams one file into an object. Bytes fill a part buffer; a full part is uploaded while the next
 * fills, at most `budget` parts in flight for the whole dump (a full budget holds the writer, and so
 * the reader behind it). A file smaller than one part is one PutObject at commit, with its sha256 as
 * metadata; a larger one is a multipart upload to `<key>.upload`, completed at commit, then copied
 * to its name with the metadata and deleted (S3 takes metadata only when an upload starts, before
 * the hash is known; and so an object under its final name is always complete, as a renamed file).
 */
class S3Writer extends Writable {
  private part: Buffer | null = null;
  private filled = 0;
  private uploadId: string | null = null;
  private readonly parts: { PartNumber: number; ETag: string }[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown = null;

  private readonly uploadKey: string;

  constructor(private readonly ctx: WriterContext) {
    super({ highWaterMark: 1 << 20 });
    this.uploadKey = `${ctx.key}${UPLOAD_SUFFIX}`;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.take(chunk).then(() => {
      giveBackOutput(chunk);
      done();
    }, done);
  }

  private async take(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      if (this.failure) throw this.failure;
      this.part ??= this.ctx.buffers.take();
      const n = chunk.copy(this.part, this.filled, at);
      this.filled += n;
      at += n;
      if (this.filled === this.part.length) await this.sendPart();
    }
  }

  private async sendPart(): Promise<void> {
    const body = this.part!;
    const length = this.filled;
    this.part = null;
    this.filled = 0;
    await this.ctx.budget.take();
    try {
      this.uploadId ??= await this.send('start upload', async () => (await this.ctx.client.send(new CreateMultipartUploadCommand({ Bucket: this.ctx.bucket, Key: this.uploadKey }))).UploadId!);
    } catch (error) {
      this.ctx.budget.give();
      throw error;
    }
    const PartNumber = this.parts.length + 1;
    this.parts.push({ PartNumber, ETag: '' });
    const upload = this.send('upload part', () => this.ctx.client.send(new UploadPartCommand({ Bucket: this.ctx.bucket, Key: this.uploadKey, UploadId: this.uploadId!, PartNumber, Body: body.subarray(0, length) })))
      .then((r) => {
        this.parts[PartNumber - 1]!.ETag = r.ETag!;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.ctx.buffers.give(body);
        this.ctx.budget.give();
        this.inflight.delete(upload);
      });
    this.inflight.add(upload);
  }

  private async send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storageError(error, { operation, location: this.ctx.location, file: this.ctx.file });
    }
  }

  override _final(done: (error?: Error | null) => void): void {
    const finish = async () => {
      if (this.uploadId && this.filled > 0) await this.sendPart();
      while (this.inflight.size > 0) await Promise.all(this.inflight);
      if (this.failure) throw this.failure;
    };
    finish().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // Destroyed after finishing (autoDestroy) the upload waits for commit; before, it is thrown away.
    if (!error && this.writableFinished) return done(null);
    this.abortUpload().then(() => done(error), () => done(error));
  }

  async commit(meta: { sha256: string; bytes: number }): Promise<void> {
    const Metadata = { [SHA256_KEY]: meta.sha256, [BYTES_KEY]: String(meta.bytes) };
    const { client, bucket, key } = this.ctx;
    if (!this.uploadId) {
      const body = this.part ? this.part.subarray(0, this.filled) : Buffer.alloc(0);
      await this.send('write', () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata })));
      if (this.part) this.ctx.buffers.give(this.part);
      this.part = null;
      return;
    }
    const from = this.uploadKey;
    await this.send('complete upload', () => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: from, UploadId: this.uploadId!, MultipartUpload: { Parts: this.parts } })));
    this.uploadId = null;
    await this.send('copy into place', () => client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`, MetadataDirective: 'REPLACE', Metadata })));
    await this.send('delete', () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: from })));
  }

  async abortUpload(): Promise<void> {
    if (this.part) this.ctx.buffers.give(this.part);
    this.part = null;
    const uploadId = this.uploadId;
    this.uploadId = null;
    if (!uploadId) return;
    await Promise.allSettled([...this.inflight]);
    // Best effort: a store that is gone keeps the upload until the next resume aborts it.
    await this.ctx.client.send(new AbortMultipartUploadCommand({ Bucket: this.ctx.bucket, Key: this.uploadKey, UploadId: uploadId })).catch(() => undefined);
  }
}

export function openS3Writer(ctx: WriterContext): FileWriter {
  const writer = new S3Writer(ctx);
  return { stream: writer, commit: (meta) => writer.commit(meta), abort: () => writer.abortUpload() };
}

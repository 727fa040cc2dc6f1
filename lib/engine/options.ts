import { z } from 'zod';
import { DumpRequest, KeyOption } from '../core/dump-options.ts';
import { ConnectionTls } from '../mysql/tls.ts';
import { S3Settings } from '../storage/settings.ts';

/** Options of one dump: what to dump (`DumpRequest`), from where and to where. Parsed by `parseDumpOptions`. */
export const DumpOptions = DumpRequest.extend({
  /** `mysql://user:password@host:port` */
  source: z.string().min(1, { error: 'source is required (mysql://user:password@host:port)' }),
  /**
   * TLS for every connection to the source (mode, CA, client certificate and key as PEM text). Never
   * written to the manifest or the state file. Default: the URI's `?ssl=true` (required), else off.
   */
  tls: ConnectionTls.optional(),
  /** Output directory (created if missing, must be empty) or `s3://bucket/prefix` (must hold no objects). */
  outDir: z.string().min(1, { error: 'outDir is required' }),
  /**
   * How to reach the object store of an `s3://` outDir (endpoint, region, credentials, part size,
   * upload concurrency); what is left out comes from the `AWS_*` environment. Never written to the
   * manifest or the request file.
   */
  storage: S3Settings.optional(),
  /**
   * Encrypt every file of the dump but the manifest (AES-256-GCM, after compression) with this key.
   * A resume of an encrypted dump needs the same key. Never written anywhere; the manifest records its id.
   */
  encryption: KeyOption.optional(),
  /** Continue an interrupted dump in `outDir`: keep verified chunks, dump the rest in a new snapshot. */
  resume: z.boolean().default(false),
});
export type DumpOptionsInput = z.input<typeof DumpOptions>;
export type DumpOptions = z.infer<typeof DumpOptions>;

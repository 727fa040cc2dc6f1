import { z } from 'zod';
import { DumpRequest } from '../core/dump-options.ts';
import { ConnectionTls } from '../mysql/tls.ts';

/** Options of one dump: what to dump (`DumpRequest`), from where and to where. Parsed by `parseDumpOptions`. */
export const DumpOptions = DumpRequest.extend({
  /** `mysql://user:password@host:port` */
  source: z.string().min(1, { error: 'source is required (mysql://user:password@host:port)' }),
  /**
   * TLS for every connection to the source (mode, CA, client certificate and key as PEM text). Never
   * written to the manifest or the state file. Default: the URI's `?ssl=true` (required), else off.
   */
  tls: ConnectionTls.optional(),
  /** Output directory: created if missing, must be empty. */
  outDir: z.string().min(1, { error: 'outDir is required' }),
  /** Continue an interrupted dump in `outDir`: keep verified chunks, dump the rest in a new snapshot. */
  resume: z.boolean().default(false),
});
export type DumpOptionsInput = z.input<typeof DumpOptions>;
export type DumpOptions = z.infer<typeof DumpOptions>;

import { readFileSync } from 'node:fs';
import type { ConnectionTlsInput } from '../lib/mysql/tls.ts';
import type { S3Settings as S3SettingsInput } from '../lib/storage/settings.ts';

/** Helpers every command's argument parsing shares. */

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

export function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

export function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

/**
 * A server URI from the flag or an environment variable; a password missing from the URI comes
 * from `passwordEnv`, so it need not appear in the process list.
 */
export function serverUri(flag: string, value: string | undefined, env: { uri: string; password: string }): string {
  const uri = value ?? process.env[env.uri];
  if (!uri) throw new UsageError(`--${flag} is required (mysql://user:password@host:port)`);
  const password = process.env[env.password];
  if (!password) return uri;
  try {
    const url = new URL(uri);
    if (url.password) return uri;
    url.password = encodeURIComponent(password);
    return url.toString().replace(/\/$/, '');
  } catch {
    return uri;
  }
}

/** Runs `work` with SIGINT/SIGTERM turned into an AbortSignal (the engine stops cleanly). */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

type TlsPrefix = '' | 'source-' | 'target-';

/** `--<prefix>ssl-mode`, `-ca`, `-cert`, `-key`, for `parseArgs`. */
function tlsFlags<P extends TlsPrefix>(prefix: P) {
  const names = ['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key'] as const;
  return Object.fromEntries(names.map((n) => [`${prefix}${n}`, { type: 'string' }])) as { [K in `${P}${(typeof names)[number]}`]: { type: 'string' } };
}

/** The TLS flags, named as the mysql client names them, for `parseArgs`. */
export const TLS_FLAGS = tlsFlags('');

export const TLS_USAGE = `    --ssl-mode MODE         off | required (encrypt, certificate not checked) | verify-ca
                            (certificate signed by --ssl-ca) | verify-identity (and naming the
                            host); default: required with ?ssl=true in the URI, else off
    --ssl-ca FILE           PEM CA certificate(s) to check the server against (alone: verify-ca)
    --ssl-cert FILE         PEM client certificate, for accounts created REQUIRE X509
    --ssl-key FILE          PEM private key of --ssl-cert (unencrypted)
`;

const MODE_ALIASES: Record<string, ConnectionTlsInput['mode']> = {
  off: 'off',
  disabled: 'off',
  required: 'required',
  'verify-ca': 'verify-ca',
  verify_ca: 'verify-ca',
  'verify-identity': 'verify-identity',
  verify_identity: 'verify-identity',
};

/** The TLS flags of one of two servers (`pitr`): `--source-ssl-mode`, `--target-ssl-ca`, … */
export const SOURCE_TLS_FLAGS = tlsFlags('source-');
export const TARGET_TLS_FLAGS = tlsFlags('target-');

/** TLS_USAGE for the flags of one of two servers. */
export function prefixedTlsUsage(prefix: 'source' | 'target'): string {
  return `    --${prefix}-ssl-mode MODE, --${prefix}-ssl-ca FILE, --${prefix}-ssl-cert FILE, --${prefix}-ssl-key FILE
                            TLS to the ${prefix}, as --ssl-mode, --ssl-ca, --ssl-cert, --ssl-key
`;
}

/**
 * The `tls` option from --ssl-mode/--ssl-ca/--ssl-cert/--ssl-key (with `prefix`: --source-ssl-mode,
 * …; files read here, PEM checked by the engine), or undefined without any of them: then the URI's
 * `?ssl=true` decides. As with the mysql client, --ssl-ca without --ssl-mode means verify-ca, a
 * client certificate alone required.
 */
export function tlsOption(values: Record<string, unknown>, prefix: TlsPrefix = ''): ConnectionTlsInput | undefined {
  const value = (name: string) => {
    const v = values[`${prefix}${name}`];
    return typeof v === 'string' ? v : undefined;
  };
  const flag = (name: string) => `${prefix}${name}`;
  const modeText = value('ssl-mode');
  const caFile = value('ssl-ca');
  const certFile = value('ssl-cert');
  const keyFile = value('ssl-key');
  if (modeText === undefined && caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  const read = (name: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--${flag(name)}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  let mode: ConnectionTlsInput['mode'];
  if (modeText !== undefined) {
    mode = MODE_ALIASES[modeText.toLowerCase()];
    if (!mode) throw new UsageError(`--${flag('ssl-mode')} must be off, required, verify-ca or verify-identity, got "${modeText}"`);
  } else {
    mode = caFile !== undefined ? 'verify-ca' : 'required';
  }
  const ca = read('ssl-ca', caFile);
  const cert = read('ssl-cert', certFile);
  const key = read('ssl-key', keyFile);
  return { mode, ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
}

/** Object-storage flags (for an `s3://bucket/prefix` location), for `parseArgs`. */
export const S3_FLAGS = {
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-access-key-id': { type: 'string' },
  's3-secret-access-key': { type: 'string' },
  's3-part-size': { type: 'string' },
  'upload-concurrency': { type: 'string' },
} as const;

export const S3_USAGE = `    --s3-endpoint URL       S3-compatible endpoint (MinIO, Ceph, R2, B2, Wasabi…; default AWS, or
                            env AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
    --s3-region R           region (default env AWS_REGION / AWS_DEFAULT_REGION, else us-east-1)
    --s3-access-key-id K    access key (default env AWS_ACCESS_KEY_ID)
    --s3-secret-access-key S  secret key (default env AWS_SECRET_ACCESS_KEY: prefer the env,
                            a flag shows in the process list)
`;

export const S3_UPLOAD_USAGE = `    --s3-part-size MIB      multipart part size in MiB (default 8, at least 5)
    --upload-concurrency N  parts uploading at once for the whole dump (default --threads)
`;

/** The `storage` option from the S3 flags; undefined without any (the AWS_* environment decides). */
export function storageOption(values: Record<string, unknown>): S3SettingsInput | undefined {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const partMiB = integer('s3-part-size', text('s3-part-size'));
  const settings: S3SettingsInput = {
    ...(text('s3-endpoint') ? { endpoint: text('s3-endpoint') } : {}),
    ...(text('s3-region') ? { region: text('s3-region') } : {}),
    ...(text('s3-access-key-id') ? { accessKeyId: text('s3-access-key-id') } : {}),
    ...(text('s3-secret-access-key') ? { secretAccessKey: text('s3-secret-access-key') } : {}),
    ...(partMiB !== undefined ? { partSize: partMiB * 1024 * 1024 } : {}),
    ...(text('upload-concurrency') ? { uploadConcurrency: integer('upload-concurrency', text('upload-concurrency')) } : {}),
  };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

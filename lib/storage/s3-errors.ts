import { ParadumpError } from '../core/errors.ts';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

function networkCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as SdkError).code;
    if (code && NETWORK.has(code)) return code;
    if ((e as SdkError).name === 'TimeoutError') return 'ETIMEDOUT';
    e = (e as SdkError).cause;
  }
  return null;
}

/**
 * One coded error for what the S3 client threw: the service's error name decides (never the
 * message text); a failure without an answer is the endpoint being unreachable.
 */
export function storageError(error: unknown, where: { operation: string; location: string; file?: string }): ParadumpError {
  if (error instanceof ParadumpError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const details = { operation: where.operation, location: where.location, ...(where.file ? { file: where.file } : {}), s3Code: name, ...(status ? { httpStatus: status } : {}) };
  const what = `${where.operation}${where.file ? ` ${where.file}` : ''} at ${where.location}`;
  const net = networkCode(error);
  if (net) return new ParadumpError('STORAGE_UNREACHABLE', `the storage endpoint could not be reached (${net}) during ${what}`, { details: { ...details, network: net }, cause: error });
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'InvalidToken' || name === 'ExpiredToken' || name === 'CredentialsProviderError') {
    return new ParadumpError('STORAGE_AUTH_FAILED', `the storage service refused the credentials (${name}) during ${what}`, { details, cause: error });
  }
  if (name === 'NoSuchBucket' || (name === 'NotFound' && where.operation === 'check bucket')) {
    return new ParadumpError('STORAGE_NO_BUCKET', `the bucket of ${where.location} does not exist`, { details, cause: error });
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new ParadumpError('STORAGE_DENIED', `the storage credentials may not ${where.operation} (${name}) at ${where.location}`, { details, cause: error });
  }
  return new ParadumpError('STORAGE_FAILED', `the storage service refused ${what}: ${name}${e.message ? ` (${e.message.slice(0, 200)})` : ''}`, { details, cause: error });
}

/** S3 answers "no such key" to a read or a stat of a missing object. */
export function isMissing(error: unknown): boolean {
  const e = error as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || (e?.$metadata?.httpStatusCode === 404 && e?.name !== 'NoSuchBucket');
}

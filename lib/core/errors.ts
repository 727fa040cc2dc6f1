/**
 * paradump's one error type, for every layer (engine, restore, store, runs, sandbox). Callers branch
 * on `code`, never on message text; the CLI prints `message`, the dashboard maps `code` to its own
 * words (lib/runs/error-words.ts).
 */
export const ERROR_CODES = [
  'BAD_OPTION',
  'BAD_URI',
  'HOST_UNREACHABLE',
  'CONNECTION_REFUSED',
  'ACCESS_DENIED',
  'TLS_FAILED',
  'MISSING_PRIVILEGES',
  'UNKNOWN_DATABASE',
  'UNKNOWN_TABLE',
  'NOTHING_TO_DUMP',
  'OUTPUT_NOT_EMPTY',
  'OUTPUT_UNWRITABLE',
  'DISK_FULL',
  'LOCK_TIMEOUT',
  'CONNECTION_LOST',
  'TABLE_DROPPED',
  'UNSUPPORTED_SERVER',
  'MANIFEST_INVALID',
  'FILES_MISSING',
  'CHECKSUM_MISMATCH',
  'TARGET_EXISTS',
  /** A restore with accounts (`users`) found some on the target already (details.accounts). */
  'ACCOUNT_EXISTS',
  'LOCAL_INFILE_DISABLED',
  'UNFINISHED_RESTORE',
  /** A resume found nothing of the interrupted run to continue (details.reason says why). */
  'NOTHING_TO_RESUME',
  /** Point-in-time recovery from a dump whose table was read in several snapshots (a resumed dump). */
  'SEVERAL_SNAPSHOTS',
  'NO_COORDINATES',
  'NO_BINLOG',
  'BINLOG_PURGED',
  'TOOL_MISSING',
  'ABORTED',
  'QUERY_FAILED',
  // Point-in-time recovery: these databases were already rolled forward (resume, or restore again).
  'ALREADY_REPLAYED',
  // The dashboard's runs and servers.
  'RUN_NOT_FOUND',
  'SERVER_NOT_FOUND',
  'SERVER_NAME_TAKEN',
  'NOT_RUNNING',
  'NOT_RESUMABLE',
  'ALREADY_RUNNING',
  'NO_MANIFEST',
  'MANIFEST_NOT_YET',
  // Runs on worker machines (lib/workers).
  /** A write of an attempt that is no longer the run's (another worker took the job over): refused. */
  'STALE_ATTEMPT',
  /** The worker running the attempt stopped (killed, lost) without handing the job back. */
  'STALLED',
  /** A worker was asked to stop (SIGTERM) and handed the run back to the queue. */
  'HANDED_BACK',
  /** Redis (PARADUMP_REDIS_URL) could not be reached. */
  'QUEUE_UNAVAILABLE',
  // The throwaway server (details.reason says which step).
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_FAILED',
  // The store (codes follow Prisma's own refusals where one exists: P3005, P3009).
  'BAD_DATABASE_URL',
  'MIGRATIONS_NOT_FOUND',
  'MIGRATION_PROVIDER_MISMATCH',
  'STORE_NOT_EMPTY',
  'MIGRATION_FAILED',
  'MIGRATION_MODIFIED',
  'MIGRATION_MISSING',
  'STORE_UNREACHABLE',
  // Backup plans (lib/plans).
  'BAD_CRON',
  'UNKNOWN_TIME_ZONE',
  'RETENTION_KEEPS_NOTHING',
  'PLAN_NOT_FOUND',
  'PLAN_NAME_TAKEN',
  'WEBHOOK_FAILED',
  'SMTP_FAILED',
  'NO_ALERT_CHANNEL',
  'SKIPPED_OVERLAP',
  'RETENTION_DELETE_FAILED',
  // Storage targets (lib/storage): S3-compatible object storage.
  /** The storage service refused the access key or its signature (wrong secret). */
  'STORAGE_AUTH_FAILED',
  /** The bucket named in the target does not exist. */
  'STORAGE_NO_BUCKET',
  /** The credentials are valid but may not do this (write, list, read or delete); details.operation. */
  'STORAGE_DENIED',
  /** The storage endpoint could not be reached, or went away during a transfer. */
  'STORAGE_UNREACHABLE',
  /** Any other refusal by the storage service (details.s3Code). */
  'STORAGE_FAILED',
  // Saved storage targets (lib/targets).
  'TARGET_NOT_FOUND',
  'TARGET_NAME_TAKEN',
  /** A target a plan copies to cannot be deleted; details.plans names them. */
  'TARGET_IN_USE',
  // Client-side encryption of dump files (lib/core/encrypted-file.ts, dump-key.ts).
  /** A key file that cannot be read or holds no key (32 raw bytes, 64 hex digits, base64 of 32 bytes). */
  'KEY_FILE_INVALID',
  /** An encrypted dump restored, verified or resumed without a key. */
  'KEY_REQUIRED',
  /** The key's id is not the one the dump was encrypted with (checked before the target is touched). */
  'KEY_MISMATCH',
  /** A file's authentication tag failed: the file is damaged or was altered (details.file, details.chunk). */
  'DECRYPT_FAILED',
  // Restore drills (lib/drills).
  'NO_BACKUP_TO_DRILL',
  'DRILL_VERIFY_FAILED',
  'DRILL_CHECK_FAILED',
  'DRILL_RUNNING',
  'DRILL_NOT_FOUND',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class ParadumpError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParadumpError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isParadumpError(error: unknown, code?: ErrorCode): error is ParadumpError {
  return error instanceof ParadumpError && (code === undefined || error.code === code);
}

/**
 * What went wrong setting up TLS, in `details.tls` of a TLS_FAILED error, so callers can say it in
 * their own words without reading messages.
 */
export type TlsFailure = 'not-offered' | 'untrusted' | 'expired' | 'name-mismatch' | 'handshake';

/**
 * A refused option, with the option's path and the problem in words of its own (`details.problem`,
 * without the option's name), so a form can show it at that field without reading the message.
 */
export function badOption(path: string, problem: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}): ParadumpError {
  return new ParadumpError('BAD_OPTION', `${path}: ${problem}`, { ...options, details: { ...options.details, path, problem } });
}

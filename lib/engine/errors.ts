/**
 * The engine's one error type. Callers branch on `code`, never on message text; the CLI prints
 * `message`, the dashboard maps `code` to its own words.
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
  'UNFINISHED_RESTORE',
  'NO_COORDINATES',
  'NO_BINLOG',
  'BINLOG_PURGED',
  'TOOL_MISSING',
  'ABORTED',
  'QUERY_FAILED',
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

interface MysqlDriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/** MariaDB/MySQL error numbers the engine reacts to. */
export const ER = {
  ACCESS_DENIED: 1045,
  DBACCESS_DENIED: 1044,
  TABLEACCESS_DENIED: 1142,
  SPECIFIC_ACCESS_DENIED: 1227,
  BAD_DB: 1049,
  NO_SUCH_TABLE: 1146,
  LOCK_WAIT_TIMEOUT: 1205,
  QUERY_INTERRUPTED: 1317,
  STATEMENT_TIMEOUT: 1969,
  SERVER_SHUTDOWN: 1053,
  BAD_FIELD: 1054,
} as const;

export function driverErrno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as MysqlDriverError).errno : undefined;
}

/** Translate a mysql2 / socket error into a ParadumpError with a code and a plain message. */
export function fromDriverError(error: unknown, context: string): ParadumpError {
  if (error instanceof ParadumpError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as MysqlDriverError;
  const text = e.sqlMessage ?? e.message ?? String(error);
  if (typeof e.code === 'string' && (e.code.startsWith('ERR_SSL') || e.code.startsWith('ERR_TLS') || e.code === 'HANDSHAKE_NO_SSL_SUPPORT' || e.code === 'EPROTO' || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || e.code === 'CERT_HAS_EXPIRED' || e.code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    return new ParadumpError('TLS_FAILED', `${context}: TLS failed (${e.code}): ${text}`, { cause: error });
  }
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ParadumpError('CONNECTION_REFUSED', `${context}: connection refused (is the server running and listening on that port?)`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new ParadumpError('HOST_UNREACHABLE', `${context}: host unreachable (${e.code})`, { cause: error });
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
    case 'EPIPE':
      return new ParadumpError('CONNECTION_LOST', `${context}: connection to the server was lost (${e.code}); files already written are kept and the dump can be resumed`, { cause: error });
  }
  switch (e.errno) {
    case ER.ACCESS_DENIED:
      return new ParadumpError('ACCESS_DENIED', `${context}: access denied: ${text}`, { cause: error });
    case ER.DBACCESS_DENIED:
    case ER.TABLEACCESS_DENIED:
    case ER.SPECIFIC_ACCESS_DENIED:
      return new ParadumpError('MISSING_PRIVILEGES', `${context}: missing privilege: ${text}`, { cause: error });
    case ER.BAD_DB:
      return new ParadumpError('UNKNOWN_DATABASE', `${context}: ${text}`, { cause: error });
    case ER.NO_SUCH_TABLE:
      return new ParadumpError('TABLE_DROPPED', `${context}: ${text}`, { cause: error });
    case ER.SERVER_SHUTDOWN:
      return new ParadumpError('CONNECTION_LOST', `${context}: the server is shutting down`, { cause: error });
  }
  return new ParadumpError('QUERY_FAILED', `${context}: ${text}`, { cause: error });
}

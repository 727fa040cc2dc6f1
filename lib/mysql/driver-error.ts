import { ParadumpError, type TlsFailure } from '../core/errors.ts';

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
  DUP_KEYNAME: 1061,
  NET_PACKET_TOO_LARGE: 1153,
  LOCK_DEADLOCK: 1213,
  SP_DOES_NOT_EXIST: 1305,
  VIEW_INVALID: 1356,
  TABLE_DEF_CHANGED: 1412,
  LOCK_WAIT_TIMEOUT: 1205,
  QUERY_INTERRUPTED: 1317,
  STATEMENT_TIMEOUT: 1969,
  SERVER_SHUTDOWN: 1053,
  BAD_FIELD: 1054,
  NOT_ALLOWED_COMMAND: 1148,
  LOCAL_INFILE_DISABLED_MARIADB: 4166,
  LOCAL_INFILE_DISABLED_MYSQL: 3948,
  NO_SUCH_THREAD: 1094,
} as const;

export function driverErrno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as MysqlDriverError).errno : undefined;
}

const TLS_FAILURE_WORDS: Record<TlsFailure, string> = {
  'not-offered': 'the server does not offer TLS',
  untrusted: 'the server certificate is not trusted (it is not signed by the CA given, or by a known CA)',
  expired: 'the server certificate has expired or is not valid yet',
  'name-mismatch': 'the server certificate does not match the host name',
  handshake: 'the TLS handshake failed',
};

// Node's (OpenSSL's) certificate verification codes, by what they mean to an operator.
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REVOKED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);

export function tlsFailureOf(code: string): TlsFailure | null {
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return 'not-offered';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'name-mismatch';
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (EXPIRED.has(code)) return 'expired';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.startsWith('ERR_OSSL') || code === 'EPROTO' || code === 'HANDSHAKE_SSL_ERROR') return 'handshake';
  return null;
}

/** Translate a mysql2 / socket error into a ParadumpError with a code and a plain message. */
export function fromDriverError(error: unknown, context: string): ParadumpError {
  if (error instanceof ParadumpError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as MysqlDriverError;
  const text = e.sqlMessage ?? e.message ?? String(error);
  const tls = typeof e.code === 'string' ? tlsFailureOf(e.code) : null;
  if (tls) {
    return new ParadumpError('TLS_FAILED', `${context}: TLS failed: ${TLS_FAILURE_WORDS[tls]} (${e.code}): ${text}`, { cause: error, details: { tls } });
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

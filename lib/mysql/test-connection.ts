import { describeMissing, findMissingPrivileges, type PrivilegeNeed } from './check-privileges.ts';
import { isParadumpError, type ErrorCode, type TlsFailure } from '../core/errors.ts';
import type { LockMode } from '../core/dump-options.ts';
import { Session } from './session.ts';
import { parseServerUri, type ServerAddress } from './uri.ts';

export type ConnectionCheck =
  | {
      ok: true;
      flavor: 'mariadb' | 'mysql';
      version: string;
      /** Privileges the chosen lock strategy needs that this account lacks (empty: all there). */
      missing: PrivilegeNeed[];
      /** False when roles hide the answer: the dump itself will tell. */
      privilegesKnown: boolean;
      /** One line for the operator. */
      summary: string;
    }
  | { ok: false; code: ErrorCode; summary: string };

/** Plain words for what went wrong connecting; the dashboard shows these, not driver text. */
const PROBLEM_WORDS: Partial<Record<ErrorCode, string>> = {
  BAD_URI: 'The address is not valid.',
  HOST_UNREACHABLE: 'The host could not be reached (unknown name, or no route to it).',
  CONNECTION_REFUSED: 'The host refused the connection: nothing listens on that port.',
  ACCESS_DENIED: 'Access denied: wrong user name or password, or this host may not connect as that user (an account created REQUIRE SSL or X509 is also refused without TLS or without a client certificate).',
  TLS_FAILED: 'TLS failed: the server does not offer TLS, or its certificate was not accepted.',
  CONNECTION_LOST: 'The server closed the connection.',
  UNSUPPORTED_SERVER: 'This does not look like a MySQL or MariaDB server.',
};

/** TLS_FAILED in more precise words, by what the engine found (`details.tls`). */
const TLS_WORDS: Record<TlsFailure, string> = {
  'not-offered': 'The server does not offer TLS: it has no certificate configured (ssl-cert/ssl-key), or TLS is disabled. Set up TLS on the server, or set TLS to off.',
  untrusted: 'The server certificate is not trusted: it is not signed by the CA certificate given (verify-ca failed). Paste the CA that signed the server certificate.',
  expired: 'The server certificate has expired or is not valid yet: check its dates and the clocks.',
  'name-mismatch': 'The server certificate does not match the host name: it is valid, but issued for another name or IP address (verify-identity failed). Connect by a name the certificate lists, or use verify-ca.',
  handshake: 'The TLS handshake failed: the server and this client could not agree on TLS (version, ciphers, or a client certificate it refused).',
};

/** Plain words for an error of `Session.open`. */
export function describeConnectionProblem(error: unknown): { code: ErrorCode; summary: string } {
  const code: ErrorCode = isParadumpError(error) ? error.code : 'INTERNAL';
  const tls = isParadumpError(error, 'TLS_FAILED') ? (error.details['tls'] as TlsFailure | undefined) : undefined;
  const words = tls ? TLS_WORDS[tls] : PROBLEM_WORDS[code];
  return { code, summary: words ?? (isParadumpError(error) ? error.message : 'The connection failed.') };
}

/**
 * Connects, identifies the server, and checks the grants a dump with `lock` needs (with SHOW
 * GRANTS). Never throws for a connection problem: the outcome says what is wrong in plain words.
 */
export async function testConnection({ address, lock, databases = [] }: { address: ServerAddress | string; lock: LockMode; databases?: string[] }): Promise<ConnectionCheck> {
  let session: Session | null = null;
  try {
    const parsed = typeof address === 'string' ? parseServerUri(address) : address;
    session = await Session.open(parsed, { label: 'testing the connection' });
    const missing = await findMissingPrivileges(session, lock, databases);
    const flavor = session.flavor;
    const name = `${flavor.kind === 'mariadb' ? 'MariaDB' : 'MySQL'} ${flavor.major}.${flavor.minor}.${flavor.patch}`;
    return {
      ok: true,
      flavor: flavor.kind,
      version: flavor.versionString,
      missing: missing ?? [],
      privilegesKnown: missing !== null,
      summary:
        missing === null
          ? `Connected to ${name}. Privileges come through roles and could not be checked in advance.`
          : missing.length === 0
            ? `Connected to ${name}. The account has every privilege a ${lock} dump needs.`
            : `Connected to ${name}, but a ${lock} dump needs more privileges: ${describeMissing(missing)}.`,
    };
  } catch (error) {
    return { ok: false, ...describeConnectionProblem(error) };
  } finally {
    await session?.close();
  }
}

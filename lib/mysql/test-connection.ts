import { describeMissing, findMissingPrivileges, type PrivilegeNeed } from '../engine/check-privileges.ts';
import { isParadumpError, type ErrorCode } from '../engine/errors.ts';
import type { LockMode } from '../engine/options.ts';
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
  ACCESS_DENIED: 'Access denied: wrong user name or password, or this host may not connect as that user.',
  TLS_FAILED: 'TLS failed: the server does not offer TLS, or its certificate was not accepted.',
  CONNECTION_LOST: 'The server closed the connection.',
  UNSUPPORTED_SERVER: 'This does not look like a MySQL or MariaDB server.',
};

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
    const code: ErrorCode = isParadumpError(error) ? error.code : 'INTERNAL';
    return { ok: false, code, summary: PROBLEM_WORDS[code] ?? (isParadumpError(error) ? error.message : 'The connection failed.') };
  } finally {
    await session?.close();
  }
}

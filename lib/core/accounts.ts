import { z } from 'zod';
import { globToRegExp } from './patterns.ts';

/**
 * The accounts of a dump (users and roles with their grants) as `accounts/accounts.json` holds them.
 * Authentication strings are the server's hashes, never passwords; they live only in this file
 * (written 0600), never in the manifest, events or messages.
 */
export const ACCOUNTS_FILE = 'accounts/accounts.json';

/** One way to log in: the plugin and what it stores (a hash; empty for socket-style plugins). */
export const AccountAuth = z.object({
  plugin: z.string().regex(/^[A-Za-z0-9_]+$/, 'an authentication plugin name'),
  hash: z.string(),
  /** The hash is hex of raw bytes (MySQL's caching_sha2_password hashes are not text). */
  hex: z.boolean().default(false),
});
export type AccountAuth = z.infer<typeof AccountAuth>;

const Count = z.number().int().nonnegative();

export const AccountRecord = z.object({
  user: z.string().max(128),
  /** Empty for a MariaDB role; `%` for a MySQL role made without a host. */
  host: z.string().max(255),
  isRole: z.boolean(),
  /** Alternatives in order (MariaDB's `IDENTIFIED VIA a OR b`); empty: no password. */
  auth: z.array(AccountAuth),
  limits: z.object({ queriesPerHour: Count, updatesPerHour: Count, connectionsPerHour: Count, userConnections: Count }),
  /** TLS the account must use: none, any TLS, a client certificate, or the named issuer/subject/cipher. */
  require: z.object({ type: z.enum(['NONE', 'SSL', 'X509', 'SPECIFIED']), issuer: z.string(), subject: z.string(), cipher: z.string() }),
  locked: z.boolean(),
  passwordExpired: z.boolean(),
  /** Days a password lives; null: the server's default, 0: never expires. */
  passwordLifetime: z.number().int().nonnegative().nullable(),
  /**
   * GRANT statements as SHOW GRANTS prints them, each granting to this account only, with the
   * authentication, TLS and limit clauses taken off (they are in the fields above).
   */
  grants: z.array(z.string().regex(/^GRANT /, 'a GRANT statement')),
  /** Roles active at login, as quoted account names (`` `r` `` on MariaDB, `` `r`@`%` `` on MySQL). */
  defaultRoles: z.array(z.string()),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

export const AccountsFile = z.object({
  format: z.literal('paradump-accounts'),
  version: z.literal(1),
  flavor: z.enum(['mariadb', 'mysql']),
  accounts: z.array(AccountRecord),
});
export type AccountsFile = z.infer<typeof AccountsFile>;

/** What the manifest says of the accounts: names only (the browser lists them), the file's hash. */
export const AccountsSummary = z.object({
  file: z.literal(ACCOUNTS_FILE),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  list: z.array(z.object({ user: z.string(), host: z.string(), isRole: z.boolean(), grants: Count, defaultRoles: z.array(z.string()) })),
  /** System accounts left out (root@localhost, mariadb.sys, mysql.*, …) and those excluded by pattern. */
  excluded: z.array(z.string()),
});
export type AccountsSummary = z.infer<typeof AccountsSummary>;

/** `user@host` as the operator writes it (a role: its name alone). */
export function accountLabel(a: { user: string; host: string; isRole?: boolean }): string {
  return a.isRole && (a.host === '' || a.host === '%') ? a.user : `${a.user}@${a.host}`;
}

/**
 * An account pattern: `user@host` with `*`/`?` globs in either part (`root@%` is the account whose
 * host is `%`), or a user pattern alone for any host (`mysql.*`). Split at the last `@`.
 */
export function accountMatcher(pattern: string): (a: { user: string; host: string }) => boolean {
  const at = pattern.lastIndexOf('@');
  const user = globToRegExp(at < 0 ? pattern : pattern.slice(0, at));
  const host = at < 0 ? null : globToRegExp(pattern.slice(at + 1));
  return (a) => user.test(a.user) && (host === null || host.test(a.host));
}

/**
 * Accounts the server made for itself or its installer: restoring them onto another server would
 * clash with its own. `hostname` is the source's @@hostname (the installer's root@<hostname>).
 */
export function isSystemAccount(a: { user: string; host: string }, hostname: string): boolean {
  if (a.user === 'mariadb.sys' || a.user.startsWith('mysql.') || a.user === 'debian-sys-maint' || a.user === 'PUBLIC') return true;
  const local = new Set(['localhost', '127.0.0.1', '::1', hostname]);
  // Anonymous and root accounts the installer creates for the local machine.
  return (a.user === 'root' || a.user === '') && local.has(a.host);
}

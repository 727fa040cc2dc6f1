import mysql from 'mysql2';
import type { AccountRecord } from '../core/accounts.ts';
import { quoteId } from '../core/sql-names.ts';
import type { FlavorKind } from './flavor.ts';

/**
 * The SQL of users, roles and grants per flavor. MariaDB keeps an account in mysql.global_priv as
 * JSON (roles marked is_role, the default role in it); MySQL 8 in mysql.user, with roles in
 * mysql.role_edges and default roles in mysql.default_roles. Grants come from SHOW GRANTS on both.
 */
export interface AccountsSql {
  /** Every account with its authentication, limits, TLS, lock and password state. */
  list: string;
  /** Default roles (MySQL); null where `list` carries them (MariaDB). */
  defaultRoles: string | null;
  /** Accounts on a target (to refuse or skip those that exist). */
  existing: string;
  /**
   * MySQL: statements before `showCreateUser` (hashes printed as hex: caching_sha2_password's are
   * bytes), and SHOW CREATE USER, whose IDENTIFIED WITH clauses give the plugins and hashes
   * (`authFromCreateUser`). Null on MariaDB, whose global_priv has them.
   */
  createUserSetup: string[];
  showCreateUser: ((a: { user: string; host: string; isRole: boolean }) => string) | null;
  /** A row of `list` (and the account's rows of `defaultRoles`) as a record without grants. */
  fromRow(row: Record<string, unknown>, defaultRoles: readonly string[]): Omit<AccountRecord, 'grants'>;
  /** CREATE ROLE, or CREATE USER (then ALTER USER … PASSWORD EXPIRE for an expired one). */
  create(a: AccountRecord): string[];
  /** SET DEFAULT ROLE, after the grants (the role must be granted first). */
  setDefaultRoles(a: AccountRecord): string[];
  /** MariaDB's CREATE ROLE grants the role to its creator WITH ADMIN OPTION: this takes it back. */
  revokeFromCreator(role: AccountRecord): string | null;
  /** Whether an account (user, host) holds a role (role name): a resumed restore may have revoked it already. */
  holdsRole: string | null;
}

/** `` `u`@`h` ``, or `` `r` `` for a MariaDB role (roles there have no host). */
export function accountSqlName(a: { user: string; host: string; isRole: boolean }, flavor: FlavorKind): string {
  return flavor === 'mariadb' && a.isRole ? quoteId(a.user) : `${quoteId(a.user)}@${quoteId(a.host)}`;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => {
  const n = Number(v ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};
const yes = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true' || v === 'Y';
const literal = (text: string): string => mysql.escape(text);

const SSL_TYPES = ['NONE', 'SSL', 'X509', 'SPECIFIED'] as const;

function requireClause(a: AccountRecord): string {
  const r = a.require;
  if (r.type === 'NONE') return '';
  if (r.type !== 'SPECIFIED') return ` REQUIRE ${r.type}`;
  const parts = [r.issuer && `ISSUER ${literal(r.issuer)}`, r.subject && `SUBJECT ${literal(r.subject)}`, r.cipher && `CIPHER ${literal(r.cipher)}`].filter(Boolean);
  return parts.length > 0 ? ` REQUIRE ${parts.join(' AND ')}` : ' REQUIRE SSL';
}

function limitsClause(a: AccountRecord): string {
  const l = a.limits;
  const parts = [
    l.queriesPerHour && `MAX_QUERIES_PER_HOUR ${l.queriesPerHour}`,
    l.updatesPerHour && `MAX_UPDATES_PER_HOUR ${l.updatesPerHour}`,
    l.connectionsPerHour && `MAX_CONNECTIONS_PER_HOUR ${l.connectionsPerHour}`,
    l.userConnections && `MAX_USER_CONNECTIONS ${l.userConnections}`,
  ].filter(Boolean);
  return parts.length > 0 ? ` WITH ${parts.join(' ')}` : '';
}

function lifetimeClause(a: AccountRecord): string {
  if (a.passwordLifetime === null) return '';
  return a.passwordLifetime === 0 ? ' PASSWORD EXPIRE NEVER' : ` PASSWORD EXPIRE INTERVAL ${a.passwordLifetime} DAY`;
}

function createUser(a: AccountRecord, flavor: FlavorKind, identified: string): string[] {
  const name = accountSqlName(a, flavor);
  const lock = a.locked ? ' ACCOUNT LOCK' : '';
  const statements = [`CREATE USER ${name}${identified}${requireClause(a)}${limitsClause(a)}${flavor === 'mariadb' ? lock + lifetimeClause(a) : lifetimeClause(a) + lock}`];
  if (a.passwordExpired) statements.push(`ALTER USER ${name} PASSWORD EXPIRE`);
  return statements;
}

const MARIADB: AccountsSql = {
  list: `SELECT User AS user, Host AS host, JSON_VALUE(Priv, '$.is_role') AS isRole,
      JSON_VALUE(Priv, '$.plugin') AS plugin, JSON_VALUE(Priv, '$.authentication_string') AS hash, JSON_QUERY(Priv, '$.auth_or') AS authOr,
      JSON_VALUE(Priv, '$.max_questions') AS maxQueries, JSON_VALUE(Priv, '$.max_updates') AS maxUpdates,
      JSON_VALUE(Priv, '$.max_connections') AS maxConnections, JSON_VALUE(Priv, '$.max_user_connections') AS maxUserConnections,
      JSON_VALUE(Priv, '$.ssl_type') AS sslType, JSON_VALUE(Priv, '$.ssl_cipher') AS cipher,
      JSON_VALUE(Priv, '$.x509_issuer') AS issuer, JSON_VALUE(Priv, '$.x509_subject') AS subject,
      JSON_VALUE(Priv, '$.account_locked') AS locked, JSON_VALUE(Priv, '$.password_last_changed') AS passwordLastChanged,
      JSON_VALUE(Priv, '$.password_lifetime') AS passwordLifetime, JSON_VALUE(Priv, '$.default_role') AS defaultRole
    FROM mysql.global_priv ORDER BY User, Host`,
  defaultRoles: null,
  existing: 'SELECT User AS user, Host AS host FROM mysql.global_priv',
  createUserSetup: [],
  showCreateUser: null,
  fromRow(row) {
    const isRole = yes(row.isRole);
    const lifetime = row.passwordLifetime === null || row.passwordLifetime === undefined ? -1 : Number(row.passwordLifetime);
    return {
      user: str(row.user),
      host: str(row.host),
      isRole,
      auth: isRole ? [] : mariadbAuth(row),
      limits: { queriesPerHour: num(row.maxQueries), updatesPerHour: num(row.maxUpdates), connectionsPerHour: num(row.maxConnections), userConnections: num(row.maxUserConnections) },
      require: { type: SSL_TYPES[num(row.sslType)] ?? 'NONE', issuer: str(row.issuer), subject: str(row.subject), cipher: str(row.cipher) },
      locked: yes(row.locked),
      // MariaDB marks an expired password by a last change at 0.
      passwordExpired: !isRole && row.passwordLastChanged !== null && row.passwordLastChanged !== undefined && Number(row.passwordLastChanged) === 0,
      passwordLifetime: lifetime < 0 ? null : lifetime,
      defaultRoles: row.defaultRole ? [quoteId(str(row.defaultRole))] : [],
    };
  },
  create(a) {
    if (a.isRole) return [`CREATE ROLE ${quoteId(a.user)}`];
    const only = a.auth.length === 1 ? a.auth[0]! : null;
    let identified = '';
    if (only?.plugin === 'mysql_native_password' && only.hash !== '') identified = ` IDENTIFIED BY PASSWORD ${literal(only.hash)}`;
    else if (a.auth.length > 0) identified = ` IDENTIFIED VIA ${a.auth.map((m) => (m.hash === '' ? m.plugin : `${m.plugin} USING ${literal(m.hash)}`)).join(' OR ')}`;
    return createUser(a, 'mariadb', identified);
  },
  setDefaultRoles(a) {
    // One default role on MariaDB.
    return a.defaultRoles.slice(0, 1).map((r) => `SET DEFAULT ROLE ${r} FOR ${accountSqlName(a, 'mariadb')}`);
  },
  revokeFromCreator(role) {
    return `REVOKE ${quoteId(role.user)} FROM CURRENT_USER`;
  },
  holdsRole: 'SELECT 1 AS x FROM mysql.roles_mapping WHERE User = ? AND Host = ? AND Role = ?',
};

/** MariaDB's alternatives: `auth_or` lists them, `{}` standing for the main plugin and hash. */
function mariadbAuth(row: Record<string, unknown>): AccountRecord['auth'] {
  const main = { plugin: str(row.plugin) || 'mysql_native_password', hash: str(row.hash), hex: false };
  let alternatives: unknown = null;
  try {
    alternatives = typeof row.authOr === 'string' ? JSON.parse(row.authOr) : row.authOr;
  } catch {
    alternatives = null;
  }
  const list = Array.isArray(alternatives)
    ? alternatives.map((m: Record<string, unknown>) => (m && typeof m.plugin === 'string' ? { plugin: m.plugin, hash: str(m.authentication_string), hex: false } : main))
    : [main];
  // A native password that is empty is no password at all.
  return list.filter((m) => !(m.plugin === 'mysql_native_password' && m.hash === '' && list.length === 1));
}

const MYSQL: AccountsSql = {
  list: `SELECT u.User AS user, u.Host AS host,
      EXISTS (SELECT 1 FROM mysql.role_edges e WHERE e.FROM_USER = u.User AND e.FROM_HOST = u.Host) AS isRole,
      u.plugin AS plugin, HEX(u.authentication_string) AS hashHex,
      u.max_questions AS maxQueries, u.max_updates AS maxUpdates, u.max_connections AS maxConnections, u.max_user_connections AS maxUserConnections,
      u.ssl_type AS sslType, CAST(u.ssl_cipher AS CHAR) AS cipher, CAST(u.x509_issuer AS CHAR) AS issuer, CAST(u.x509_subject AS CHAR) AS subject,
      u.account_locked AS locked, u.password_expired AS passwordExpired, u.password_lifetime AS passwordLifetime
    FROM mysql.user u ORDER BY u.User, u.Host`,
  defaultRoles: 'SELECT USER AS user, HOST AS host, DEFAULT_ROLE_USER AS roleUser, DEFAULT_ROLE_HOST AS roleHost FROM mysql.default_roles ORDER BY DEFAULT_ROLE_USER, DEFAULT_ROLE_HOST',
  existing: 'SELECT User AS user, Host AS host FROM mysql.user',
  createUserSetup: ['SET SESSION print_identified_with_as_hex = ON'],
  showCreateUser: (a) => `SHOW CREATE USER ${accountSqlName(a, 'mysql')}`,
  fromRow(row, defaultRoles) {
    const hex = str(row.hashHex);
    const sslType = str(row.sslType).toUpperCase();
    return {
      user: str(row.user),
      host: str(row.host),
      isRole: yes(row.isRole),
      // The hash of caching_sha2_password is bytes, not text: carried as hex.
      auth: hex === '' && str(row.plugin) === 'mysql_native_password' ? [] : [{ plugin: str(row.plugin) || 'caching_sha2_password', hash: hex, hex: true }],
      limits: { queriesPerHour: num(row.maxQueries), updatesPerHour: num(row.maxUpdates), connectionsPerHour: num(row.maxConnections), userConnections: num(row.maxUserConnections) },
      require: { type: sslType === 'ANY' ? 'SSL' : sslType === 'X509' ? 'X509' : sslType === 'SPECIFIED' ? 'SPECIFIED' : 'NONE', issuer: str(row.issuer), subject: str(row.subject), cipher: str(row.cipher) },
      locked: yes(row.locked),
      passwordExpired: yes(row.passwordExpired),
      passwordLifetime: row.passwordLifetime === null || row.passwordLifetime === undefined ? null : num(row.passwordLifetime),
      defaultRoles: [...defaultRoles],
    };
  },
  create(a) {
    // A MySQL role is an account that cannot log in; CREATE ROLE makes it so.
    if (a.isRole) return [`CREATE ROLE ${accountSqlName(a, 'mysql')}`];
    // Factors after the first (8.0.27+ multi-factor) follow with AND, as SHOW CREATE USER prints them.
    const identified = a.auth.map((m) => ` IDENTIFIED WITH ${literal(m.plugin)}${m.hash === '' ? '' : ` AS ${m.hex ? `0x${m.hash}` : literal(m.hash)}`}`).join(' AND');
    return createUser(a, 'mysql', identified);
  },
  setDefaultRoles(a) {
    return a.defaultRoles.length > 0 ? [`SET DEFAULT ROLE ${a.defaultRoles.join(', ')} TO ${accountSqlName(a, 'mysql')}`] : [];
  },
  revokeFromCreator() {
    return null;
  },
  holdsRole: null,
};

const IDENTIFIED_WITH = /IDENTIFIED WITH '([A-Za-z0-9_]+)'(?: AS (?:0x([0-9A-Fa-f]*)|'((?:[^'\\]|\\.|'')*)'))?/g;

/**
 * The authentication factors of a MySQL SHOW CREATE USER line: `IDENTIFIED WITH 'plugin' AS 0x…`
 * (hex, with print_identified_with_as_hex) or `AS '…'` (older 8.0), joined by AND for multi-factor.
 */
export function authFromCreateUser(text: string): AccountRecord['auth'] {
  return [...text.matchAll(IDENTIFIED_WITH)].map((m) => {
    if (m[2] !== undefined) return { plugin: m[1]!, hash: m[2].toUpperCase(), hex: true };
    const quoted = (m[3] ?? '').replace(/''/g, "'").replace(/\\(.)/g, '$1');
    return { plugin: m[1]!, hash: quoted, hex: false };
  });
}

export function accountsSql(flavor: FlavorKind): AccountsSql {
  return flavor === 'mariadb' ? MARIADB : MYSQL;
}

/** The ways SHOW GRANTS may write the account it grants to (older servers quote with '). */
function granteeForms(a: { user: string; host: string; isRole: boolean }, flavor: FlavorKind): string[] {
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (flavor === 'mariadb' && a.isRole) return [quoteId(a.user), quote(a.user)];
  return [`${quoteId(a.user)}@${quoteId(a.host)}`, `${quote(a.user)}@${quote(a.host)}`];
}

/**
 * SHOW GRANTS lines into the account's GRANT statements and default roles. Lines granting to
 * another account (SHOW GRANTS FOR a role lists the grants of the roles it holds) are left out.
 * What follows the grantee (IDENTIFIED … with the hash, REQUIRE, resource limits) is cut, keeping
 * only WITH GRANT / ADMIN OPTION: CREATE USER carries the rest, and the hash is never in a grant.
 */
export function cleanGrants(lines: readonly string[], a: { user: string; host: string; isRole: boolean }, flavor: FlavorKind): { grants: string[]; defaultRoles: string[] } {
  const forms = granteeForms(a, flavor);
  const grants: string[] = [];
  const defaultRoles: string[] = [];
  for (const line of lines) {
    const dr = /^SET DEFAULT ROLE (.+) FOR /.exec(line);
    if (dr) {
      defaultRoles.push(dr[1]!);
      continue;
    }
    if (!line.startsWith('GRANT ')) continue;
    let end = -1;
    for (const form of forms) {
      const at = line.indexOf(` TO ${form}`);
      const after = at < 0 ? '' : line.charAt(at + 4 + form.length);
      if (at >= 0 && (after === '' || after === ' ')) {
        end = at + 4 + form.length;
        break;
      }
    }
    if (end < 0) continue;
    const tail = line.slice(end);
    const grant = line.slice(0, end).replace(/ TO .*$/s, ` TO ${forms[0]}`) + (/ WITH GRANT OPTION\b/.test(tail) ? ' WITH GRANT OPTION' : '') + (/ WITH ADMIN OPTION\b/.test(tail) ? ' WITH ADMIN OPTION' : '');
    if (grant === `GRANT USAGE ON *.* TO ${forms[0]}`) continue;
    grants.push(grant);
  }
  return { grants, defaultRoles };
}

const ON_DATABASE = /^(GRANT .+? ON (?:PROCEDURE |FUNCTION |PACKAGE BODY |PACKAGE )?)`((?:[^`]|``)+)`\./s;

/**
 * A grant on a renamed database, rewritten to the new name. A database pattern with escaped
 * wildcards (`shop\_1`) names one database and is renamed too, escaped the same way; other
 * patterns are left alone.
 */
export function renameGrant(grant: string, rename: Readonly<Record<string, string>>): string {
  const m = ON_DATABASE.exec(grant);
  if (!m) return grant;
  const quoted = m[2]!.replace(/``/g, '`');
  const unescaped = quoted.replace(/\\([_%\\])/g, '$1');
  let to: string | undefined;
  if (Object.hasOwn(rename, quoted)) to = rename[quoted];
  else if (unescaped !== quoted && Object.hasOwn(rename, unescaped)) to = rename[unescaped]!.replace(/([_%\\])/g, '\\$1');
  if (to === undefined) return grant;
  return `${m[1]}${quoteId(to)}.${grant.slice(m[0].length)}`;
}

/** The role names a GRANT gives (`GRANT `r` TO …`, no ON): role grants run after every account exists. */
export function grantedRole(grant: string): string | null {
  const m = /^GRANT ((?:`(?:[^`]|``)+`|'[^']*')(?:@(?:`(?:[^`]|``)*`|'[^']*'))?) TO /.exec(grant);
  return m && !/ ON /.test(grant.slice(0, m[0].length)) ? m[1]! : null;
}

/** Any of these hashes in `text` replaced: a server's error may quote the statement it refused. */
export function redactHashes(text: string, hashes: readonly string[]): string {
  let out = text;
  for (const h of hashes) if (h.length >= 4) out = out.split(h).join('<hash>');
  return out;
}

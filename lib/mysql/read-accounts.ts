import { accountLabel, accountMatcher, AccountRecord, isSystemAccount } from '../core/accounts.ts';
import { ParadumpError } from '../core/errors.ts';
import { accountSqlName, accountsSql, authFromCreateUser, cleanGrants } from './accounts-sql.ts';
import { driverErrno, ER, fromDriverError } from './driver-error.ts';
import type { Session } from './session.ts';

export interface ReadAccountsResult {
  accounts: AccountRecord[];
  /** `user@host` of the system accounts and those excluded by pattern. */
  excluded: string[];
  /** Include and exclude patterns that matched no account (the caller warns). */
  unmatched: string[];
}

/**
 * Reads the source's users and roles with their grants, leaving out system accounts and those
 * matching `exclude`. Refuses with MISSING_PRIVILEGES when the account may not read them.
 */
export async function readAccounts(session: Session, options: { include: readonly string[]; exclude: readonly string[] }): Promise<ReadAccountsResult> {
  const sql = accountsSql(session.flavor.kind);
  const denied = (error: unknown) => {
    const errno = driverErrno(error);
    if (errno === ER.TABLEACCESS_DENIED || errno === ER.DBACCESS_DENIED || errno === ER.SPECIFIC_ACCESS_DENIED) {
      return new ParadumpError('MISSING_PRIVILEGES', `dumping accounts (--users) needs SELECT on the mysql database (${session.flavor.kind === 'mariadb' ? 'mysql.global_priv' : 'mysql.user'}); grant it, or dump without accounts (--no-users)`, {
        details: { missing: ['SELECT ON mysql.*'], reason: 'USERS' },
        cause: error,
      });
    }
    return fromDriverError(error, 'reading accounts');
  };
  let rows: Record<string, unknown>[];
  let defaults: Record<string, unknown>[] = [];
  let hostname = '';
  try {
    // Older servers lack the setting: the hash is then read as SHOW CREATE USER quotes it.
    for (const s of sql.createUserSetup) await session.exec(s).catch(() => undefined);
    rows = await session.query<Record<string, unknown>>(sql.list);
    if (sql.defaultRoles) defaults = await session.query<Record<string, unknown>>(sql.defaultRoles);
    hostname = String((await session.query<{ h: string }>('SELECT @@hostname AS h'))[0]?.h ?? '');
  } catch (error) {
    throw denied(error);
  }
  const patterns = options.exclude.map((p) => ({ p, match: accountMatcher(p), used: false }));
  const includes = options.include.map((p) => ({ p, match: accountMatcher(p), used: false }));
  const accounts: AccountRecord[] = [];
  const excluded: string[] = [];
  for (const row of rows) {
    const roles = defaults.filter((d) => d.user === row.user && d.host === row.host).map((d) => accountSqlName({ user: String(d.roleUser), host: String(d.roleHost), isRole: true }, 'mysql'));
    const base = sql.fromRow(row, roles);
    const hits = patterns.filter((x) => x.match(base));
    const included = includes.filter((x) => x.match(base));
    for (const h of [...hits, ...included]) h.used = true;
    if (isSystemAccount(base, hostname) || hits.length > 0 || (includes.length > 0 && included.length === 0)) {
      excluded.push(accountLabel(base));
      continue;
    }
    let lines: string[];
    let auth = base.auth;
    try {
      lines = (await session.query<Record<string, string>>(`SHOW GRANTS FOR ${accountSqlName(base, session.flavor.kind)}`)).map((r) => Object.values(r)[0] ?? '');
      if (sql.showCreateUser && !base.isRole) {
        const [create] = await session.query<Record<string, string>>(sql.showCreateUser(base));
        const factors = authFromCreateUser(Object.values(create ?? {})[0] ?? '');
        if (factors.length > 0) auth = factors;
      }
    } catch (error) {
      throw denied(error);
    }
    const { grants, defaultRoles } = cleanGrants(lines, base, session.flavor.kind);
    accounts.push(AccountRecord.parse({ ...base, auth, grants, defaultRoles: base.defaultRoles.length > 0 ? base.defaultRoles : defaultRoles }));
  }
  return { accounts, excluded, unmatched: [...includes, ...patterns].filter((x) => !x.used).map((x) => x.p) };
}

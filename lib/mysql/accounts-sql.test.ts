import { describe, expect, it } from 'vitest';
import { accountMatcher, AccountRecord, isSystemAccount } from '../core/accounts.ts';
import { dumpsUsers } from '../core/dump-options.ts';
import { accountsSql, authFromCreateUser, cleanGrants, grantedRole, redactHashes, renameGrant } from './accounts-sql.ts';

const HASH = '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3';

function account(over: Partial<AccountRecord> = {}): AccountRecord {
  return AccountRecord.parse({
    user: 'app',
    host: '%',
    isRole: false,
    auth: [{ plugin: 'mysql_native_password', hash: HASH }],
    limits: { queriesPerHour: 0, updatesPerHour: 0, connectionsPerHour: 0, userConnections: 0 },
    require: { type: 'NONE', issuer: '', subject: '', cipher: '' },
    locked: false,
    passwordExpired: false,
    passwordLifetime: null,
    grants: [],
    defaultRoles: [],
    ...over,
  });
}

describe('accounts SQL, MariaDB', () => {
  const sql = accountsSql('mariadb');

  it('reads a mysql.global_priv row: hash, alternatives, limits, TLS, expiry, default role', () => {
    const a = sql.fromRow(
      { user: 'app', host: '%', isRole: null, plugin: 'mysql_native_password', hash: HASH, authOr: '[{}, {"plugin": "unix_socket"}]', maxQueries: '100', maxUserConnections: '5', sslType: '3', issuer: '/C=FI', subject: '/CN=me', cipher: '', locked: 'true', passwordLastChanged: '0', passwordLifetime: '30', defaultRole: 'r_read' },
      [],
    );
    expect(a.auth).toEqual([{ plugin: 'mysql_native_password', hash: HASH, hex: false }, { plugin: 'unix_socket', hash: '', hex: false }]);
    expect(a.limits).toEqual({ queriesPerHour: 100, updatesPerHour: 0, connectionsPerHour: 0, userConnections: 5 });
    expect(a.require).toEqual({ type: 'SPECIFIED', issuer: '/C=FI', subject: '/CN=me', cipher: '' });
    expect(a).toMatchObject({ locked: true, passwordExpired: true, passwordLifetime: 30, defaultRoles: ['`r_read`'], isRole: false });
    const role = sql.fromRow({ user: 'r', host: '', isRole: 'true', passwordLifetime: null }, []);
    expect(role).toMatchObject({ isRole: true, auth: [], passwordExpired: false, passwordLifetime: null });
    expect(sql.fromRow({ user: 'nopw', host: '%', plugin: 'mysql_native_password', hash: '' }, []).auth).toEqual([]);
  });

  it('creates roles and users with the hash, limits, TLS, lock and expiry', () => {
    expect(sql.create(account({ user: 'r', host: '', isRole: true }))).toEqual(['CREATE ROLE `r`']);
    expect(sql.create(account({ limits: { queriesPerHour: 100, updatesPerHour: 0, connectionsPerHour: 0, userConnections: 5 } }))).toEqual([
      `CREATE USER \`app\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' WITH MAX_QUERIES_PER_HOUR 100 MAX_USER_CONNECTIONS 5`,
    ]);
    const many = account({ auth: [{ plugin: 'ed25519', hash: "x'y", hex: false }, { plugin: 'unix_socket', hash: '', hex: false }], require: { type: 'SSL', issuer: '', subject: '', cipher: '' }, locked: true, passwordExpired: true, passwordLifetime: 0 });
    expect(sql.create(many)).toEqual([`CREATE USER \`app\`@\`%\` IDENTIFIED VIA ed25519 USING 'x\\'y' OR unix_socket REQUIRE SSL ACCOUNT LOCK PASSWORD EXPIRE NEVER`, 'ALTER USER `app`@`%` PASSWORD EXPIRE']);
    expect(sql.create(account({ auth: [], require: { type: 'SPECIFIED', issuer: '/C=FI', subject: '', cipher: 'AES' } }))).toEqual([`CREATE USER \`app\`@\`%\` REQUIRE ISSUER '/C=FI' AND CIPHER 'AES'`]);
  });

  it('sets one default role and revokes a new role from its creator', () => {
    expect(sql.setDefaultRoles(account({ defaultRoles: ['`r_read`'] }))).toEqual(['SET DEFAULT ROLE `r_read` FOR `app`@`%`']);
    expect(sql.setDefaultRoles(account())).toEqual([]);
    expect(sql.revokeFromCreator(account({ user: 'r', host: '', isRole: true }))).toBe('REVOKE `r` FROM CURRENT_USER');
    expect(sql.holdsRole).toContain('mysql.roles_mapping');
    expect(accountsSql('mysql').holdsRole).toBeNull();
  });

  it('keeps the account’s own grants without the hash, limits or TLS; default roles apart', () => {
    const lines = [
      'GRANT `r_read` TO `app`@`%`',
      'GRANT `r_admin` TO `app`@`%` WITH ADMIN OPTION',
      `GRANT USAGE ON *.* TO \`app\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' WITH MAX_QUERIES_PER_HOUR 100 MAX_USER_CONNECTIONS 5`,
      'GRANT INSERT, UPDATE (`v`) ON `d1`.`t` TO `app`@`%` WITH GRANT OPTION',
      'SET DEFAULT ROLE `r_read` FOR `app`@`%`',
    ];
    expect(cleanGrants(lines, { user: 'app', host: '%', isRole: false }, 'mariadb')).toEqual({
      grants: ['GRANT `r_read` TO `app`@`%`', 'GRANT `r_admin` TO `app`@`%` WITH ADMIN OPTION', 'GRANT INSERT, UPDATE (`v`) ON `d1`.`t` TO `app`@`%` WITH GRANT OPTION'],
      defaultRoles: ['`r_read`'],
    });
    const global = [`GRANT ALL PRIVILEGES ON *.* TO \`g\`@\`%\` IDENTIFIED BY PASSWORD '${HASH}' WITH GRANT OPTION MAX_UPDATES_PER_HOUR 7`];
    expect(cleanGrants(global, { user: 'g', host: '%', isRole: false }, 'mariadb').grants).toEqual(['GRANT ALL PRIVILEGES ON *.* TO `g`@`%` WITH GRANT OPTION']);
    // SHOW GRANTS FOR a role lists the grants of the roles it holds too: those are not its own.
    const role = ['GRANT `r_read` TO `r_admin`', 'GRANT USAGE ON *.* TO `r_admin`', 'GRANT USAGE ON *.* TO `r_read`', 'GRANT SELECT ON `d1`.* TO `r_read`'];
    expect(cleanGrants(role, { user: 'r_admin', host: '', isRole: true }, 'mariadb').grants).toEqual(['GRANT `r_read` TO `r_admin`']);
    // A grantee that only starts with the account's name is another account.
    expect(cleanGrants(['GRANT SELECT ON `d`.* TO `app`@`%x`'], { user: 'app', host: '%', isRole: false }, 'mariadb').grants).toEqual([]);
    expect(cleanGrants(["GRANT SELECT ON `d`.* TO 'app'@'%'"], { user: 'app', host: '%', isRole: false }, 'mariadb').grants).toEqual(['GRANT SELECT ON `d`.* TO `app`@`%`']);
  });
});

describe('accounts SQL, MySQL 8', () => {
  const sql = accountsSql('mysql');

  it('reads mysql.user with the hash as hex, roles by role_edges, default roles', () => {
    const a = sql.fromRow({ user: 'app', host: '%', isRole: 0, plugin: 'caching_sha2_password', hashHex: '2441243030350A', maxQueries: 100, sslType: 'ANY', locked: 'Y', passwordExpired: 'N', passwordLifetime: null }, ['`r`@`%`']);
    expect(a).toMatchObject({ auth: [{ plugin: 'caching_sha2_password', hash: '2441243030350A', hex: true }], require: { type: 'SSL' }, locked: true, passwordExpired: false, passwordLifetime: null, defaultRoles: ['`r`@`%`'] });
    expect(sql.fromRow({ user: 'r', host: '%', isRole: 1, plugin: 'caching_sha2_password', hashHex: '' }, [])).toMatchObject({ isRole: true });
    expect(sql.list).toContain('mysql.role_edges');
    expect(sql.defaultRoles).toContain('mysql.default_roles');
  });

  it('takes the plugins and hashes from SHOW CREATE USER (hex, quoted, multi-factor)', () => {
    expect(sql.showCreateUser?.({ user: 'app', host: '%', isRole: false })).toBe('SHOW CREATE USER `app`@`%`');
    expect(sql.createUserSetup).toEqual(['SET SESSION print_identified_with_as_hex = ON']);
    const line =
      "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS 0x244124303035247a DEFAULT ROLE `r`@`%` REQUIRE NONE WITH MAX_QUERIES_PER_HOUR 100 PASSWORD EXPIRE DEFAULT ACCOUNT UNLOCK PASSWORD HISTORY DEFAULT";
    expect(authFromCreateUser(line)).toEqual([{ plugin: 'caching_sha2_password', hash: '244124303035247A', hex: true }]);
    expect(authFromCreateUser("CREATE USER `a`@`%` IDENTIFIED WITH 'mysql_native_password' AS '*ABC' REQUIRE NONE")).toEqual([{ plugin: 'mysql_native_password', hash: '*ABC', hex: false }]);
    expect(authFromCreateUser("CREATE USER `a`@`%` IDENTIFIED WITH 'caching_sha2_password' AS 0x2441 AND IDENTIFIED WITH 'authentication_fido' REQUIRE NONE")).toEqual([
      { plugin: 'caching_sha2_password', hash: '2441', hex: true },
      { plugin: 'authentication_fido', hash: '', hex: false },
    ]);
    expect(authFromCreateUser("CREATE USER `a`@`%` IDENTIFIED WITH 'auth_socket' REQUIRE NONE")).toEqual([{ plugin: 'auth_socket', hash: '', hex: false }]);
    expect(sql.create(account({ auth: authFromCreateUser("IDENTIFIED WITH 'caching_sha2_password' AS 0x2441 AND IDENTIFIED WITH 'authentication_fido'") }))).toEqual([
      "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS 0x2441 AND IDENTIFIED WITH 'authentication_fido'",
    ]);
    expect(accountsSql('mariadb').showCreateUser).toBeNull();
  });

  it('creates with IDENTIFIED WITH plugin AS the hash, roles with a host, default roles in one statement', () => {
    expect(sql.create(account({ auth: [{ plugin: 'caching_sha2_password', hash: '24412430', hex: true }], locked: true, passwordLifetime: 90 }))).toEqual([
      "CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS 0x24412430 PASSWORD EXPIRE INTERVAL 90 DAY ACCOUNT LOCK",
    ]);
    expect(sql.create(account({ user: 'r', isRole: true, auth: [] }))).toEqual(['CREATE ROLE `r`@`%`']);
    expect(sql.setDefaultRoles(account({ defaultRoles: ['`r1`@`%`', '`r2`@`%`'] }))).toEqual(['SET DEFAULT ROLE `r1`@`%`, `r2`@`%` TO `app`@`%`']);
    expect(sql.revokeFromCreator(account({ isRole: true }))).toBeNull();
    expect(cleanGrants(['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT `r`@`%` TO `app`@`%`', 'GRANT BACKUP_ADMIN ON *.* TO `app`@`%`'], { user: 'app', host: '%', isRole: false }, 'mysql').grants).toEqual([
      'GRANT `r`@`%` TO `app`@`%`',
      'GRANT BACKUP_ADMIN ON *.* TO `app`@`%`',
    ]);
  });
});

describe('grants on renamed databases, role grants, redaction', () => {
  it('rewrites database, table, column and routine grants of a renamed database only', () => {
    const rename = { shop: 'shop_copy', d_1: 'e_1' };
    expect(renameGrant('GRANT SELECT ON `shop`.* TO `a`@`%`', rename)).toBe('GRANT SELECT ON `shop_copy`.* TO `a`@`%`');
    expect(renameGrant('GRANT SELECT (`id`), UPDATE (`v`) ON `shop`.`t` TO `a`@`%`', rename)).toBe('GRANT SELECT (`id`), UPDATE (`v`) ON `shop_copy`.`t` TO `a`@`%`');
    expect(renameGrant('GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `a`@`%`', rename)).toBe('GRANT EXECUTE ON PROCEDURE `shop_copy`.`p` TO `a`@`%`');
    expect(renameGrant('GRANT SELECT ON `d\\_1`.* TO `a`@`%`', rename)).toBe('GRANT SELECT ON `e\\_1`.* TO `a`@`%`');
    expect(renameGrant('GRANT SELECT ON `other`.* TO `a`@`%`', rename)).toBe('GRANT SELECT ON `other`.* TO `a`@`%`');
    expect(renameGrant('GRANT SELECT ON *.* TO `a`@`%`', rename)).toBe('GRANT SELECT ON *.* TO `a`@`%`');
  });
  it('tells role grants from privilege grants', () => {
    expect(grantedRole('GRANT `r_read` TO `app`@`%`')).toBe('`r_read`');
    expect(grantedRole('GRANT `r`@`%` TO `app`@`%` WITH ADMIN OPTION')).toBe('`r`@`%`');
    expect(grantedRole('GRANT SELECT ON `d`.* TO `app`@`%`')).toBeNull();
  });
  it('redacts hashes from messages', () => {
    expect(redactHashes(`near '${HASH}' at line 1`, [HASH, ''])).toBe("near '<hash>' at line 1");
  });
});

describe('account patterns and system accounts', () => {
  it('matches user@host globs, and a user alone for any host', () => {
    expect(accountMatcher('root@%')({ user: 'root', host: '%' })).toBe(true);
    expect(accountMatcher('root@%')({ user: 'root', host: 'localhost' })).toBe(false);
    expect(accountMatcher('mysql.*')({ user: 'mysql.session', host: 'localhost' })).toBe(true);
    expect(accountMatcher('app_?@10.*')({ user: 'app_1', host: '10.0.0.1' })).toBe(true);
    expect(accountMatcher('app_?@10.*')({ user: 'app_12', host: '10.0.0.1' })).toBe(false);
    expect(accountMatcher('we@ird@%')({ user: 'we@ird', host: '%' })).toBe(true);
  });
  it('dumps accounts by default for a whole-instance dump only', () => {
    expect(dumpsUsers({ users: undefined, databases: [], tables: [] })).toBe(true);
    expect(dumpsUsers({ users: undefined, databases: ['shop'], tables: [] })).toBe(false);
    expect(dumpsUsers({ users: undefined, databases: [], tables: ['shop.t'] })).toBe(false);
    expect(dumpsUsers({ users: true, databases: ['shop'], tables: [] })).toBe(true);
    expect(dumpsUsers({ users: false, databases: [], tables: [] })).toBe(false);
  });
  it('leaves out the server’s own accounts, not root@%', () => {
    for (const a of [{ user: 'root', host: 'localhost' }, { user: 'root', host: '::1' }, { user: 'root', host: 'vm' }, { user: 'mariadb.sys', host: 'localhost' }, { user: 'mysql.session', host: 'localhost' }, { user: '', host: 'localhost' }]) {
      expect(isSystemAccount(a, 'vm'), `${a.user}@${a.host}`).toBe(true);
    }
    expect(isSystemAccount({ user: 'root', host: '%' }, 'vm')).toBe(false);
    expect(isSystemAccount({ user: 'app', host: 'localhost' }, 'vm')).toBe(false);
  });
});

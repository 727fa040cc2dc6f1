import { createHash } from 'node:crypto';
import { accountLabel, AccountsFile, type AccountRecord } from '../core/accounts.ts';
import { badOption, isParadumpError, ParadumpError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { accountSqlName, accountsSql, grantedRole, redactHashes, renameGrant } from '../mysql/accounts-sql.ts';
import { driverErrno, ER, fromDriverError } from '../mysql/driver-error.ts';
import { readSmallFile } from './dump-file.ts';
import type { DumpKey } from '../core/dump-key.ts';
import { decryptBuffer } from '../core/encrypted-file.ts';
import type { RestoreEventListener } from './events.ts';
import type { JournalState, RestoreJournal } from './restore-journal.ts';
import type { TargetConnection } from './target-connection.ts';

export interface AccountsPlan {
  flavor: AccountsFile['flavor'];
  /** In creation order: roles, then users. */
  create: AccountRecord[];
  /** Accounts the target has already (with --skip-existing-users), left as they are. */
  existing: AccountRecord[];
  /** Every hash in the file: redacted from any message the server sends back. */
  hashes: string[];
}

export interface AccountsReport {
  created: string[];
  skipped: string[];
}

/** Grants naming a table, column or routine the target does not have (a partial restore): said, not fatal. */
const MISSING_OBJECT = new Set<number>([ER.NO_SUCH_TABLE, ER.SP_DOES_NOT_EXIST, ER.BAD_FIELD, 1147 /* ER_NONEXISTING_TABLE_GRANT */]);

/**
 * Reads and checks the dump's accounts, and the target's, before anything changes: an account the
 * target has already is refused (ACCOUNT_EXISTS, details.accounts) unless
 * `skipExisting`; one this restore created before it was interrupted is not counted as existing.
 */
export async function planAccounts(args: { ctl: TargetConnection; dir: string; key?: DumpKey | null; manifest: Manifest; skipExisting: boolean; state: JournalState | null }): Promise<AccountsPlan> {
  const { ctl, manifest } = args;
  const summary = manifest.accounts;
  if (!summary) throw badOption('users', 'the dump has no accounts (it was made with --no-users, or of some databases only without --users)');
  const stored = await readSmallFile(args.dir, summary.file);
  // The recorded sha256 is of the stored bytes (sealed, in an encrypted dump).
  if (createHash('sha256').update(stored).digest('hex') !== summary.sha256) {
    throw new ParadumpError('CHECKSUM_MISMATCH', `the dump is damaged, nothing was restored: ${summary.file} does not match its sha256 in the manifest`, { details: { reason: 'CHECKSUM_MISMATCH', files: [summary.file] } });
  }
  const bytes = args.key ? decryptBuffer(args.key, stored, { file: summary.file }) : stored;
  let json: unknown = null;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = null;
  }
  const parsed = AccountsFile.safeParse(json);
  // The issue's path, never its value: the value may be a hash.
  if (!parsed.success) throw new ParadumpError('MANIFEST_INVALID', `${summary.file} is not a paradump accounts file (at ${parsed.error.issues[0]?.path.join('.') ?? '?'})`);
  const file = parsed.data;
  checkStatements(file, summary.file);
  if (file.flavor !== ctl.flavor.kind) {
    throw new ParadumpError('UNSUPPORTED_SERVER', `the accounts were dumped from ${file.flavor}; the target is ${ctl.flavor.kind}, whose authentication and grant syntax differ: restore without --users`, { details: { reason: 'ACCOUNTS_FLAVOR' } });
  }
  let rows: { user: string; host: string }[];
  try {
    rows = await ctl.query<{ user: string; host: string }>(accountsSql(ctl.flavor.kind).existing);
  } catch (error) {
    if (driverErrno(error) === ER.TABLEACCESS_DENIED || driverErrno(error) === ER.DBACCESS_DENIED) {
      throw new ParadumpError('MISSING_PRIVILEGES', 'restoring accounts (--users) needs CREATE USER, GRANT OPTION and SELECT on the mysql database of the target', { details: { missing: ['CREATE USER', 'SELECT ON mysql.*'], reason: 'USERS' }, cause: error });
    }
    throw fromDriverError(error, 'reading the target’s accounts');
  }
  const there = new Set(rows.map((r) => `${r.user}\u0000${r.host}`));
  const ours = (a: AccountRecord) => args.state?.accounts.has(accountLabel(a)) ?? false;
  const existing = file.accounts.filter((a) => there.has(`${a.user}\u0000${a.host}`) && !ours(a));
  if (existing.length > 0 && !args.skipExisting) {
    const names = existing.map(accountLabel);
    throw new ParadumpError('ACCOUNT_EXISTS', `the target already has the account${names.length === 1 ? '' : 's'} ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}; nothing was changed (use --skip-existing-users to leave them as they are)`, {
      details: { accounts: names },
    });
  }
  const create = file.accounts.filter((a) => !existing.includes(a));
  return {
    flavor: file.flavor,
    create: [...create.filter((a) => a.isRole), ...create.filter((a) => !a.isRole)],
    existing,
    hashes: file.accounts.flatMap((a) => a.auth.map((m) => m.hash)),
  };
}

/**
 * Creates the planned accounts on the target: roles, then users (with their hashes, TLS and
 * limits), then their grants (databases renamed), then default roles. The creator's own grant of
 * each new role (MariaDB gives it one) is taken back. Accounts the target had are left untouched.
 */
export async function applyAccounts(args: {
  ctl: TargetConnection;
  plan: AccountsPlan;
  rename: Readonly<Record<string, string>>;
  state: JournalState | null;
  journal: RestoreJournal;
  emit: RestoreEventListener;
  warn: (code: string, message: string) => void;
  /** Test hook (RestoreControls.hooks.afterAccountCreated). */
  afterCreated?: ((account: string) => Promise<void>) | undefined;
}): Promise<AccountsReport> {
  const { ctl, plan } = args;
  const sql = accountsSql(plan.flavor);
  const run = async (statement: string, doing: string) => {
    try {
      await ctl.exec(statement);
    } catch (error) {
      throw redacted(error, doing, plan.hashes);
    }
  };
  const created: string[] = [];
  for (const a of plan.create) {
    const label = accountLabel(a);
    if (args.state?.accounts.has(label)) continue;
    for (const s of sql.create(a)) await run(s, `creating ${a.isRole ? 'role' : 'user'} ${label}`);
    await args.journal.append({ type: 'account', account: label });
    await args.afterCreated?.(label);
  }
  // Grants after every account exists: a role is granted to users, and to other roles.
  for (const a of plan.create) {
    for (const grant of a.grants) {
      try {
        await ctl.exec(renameGrant(grant, args.rename));
      } catch (error) {
        const errno = driverErrno(error);
        if (errno !== undefined && MISSING_OBJECT.has(errno) && grantedRole(grant) === null) {
          args.warn('GRANT_SKIPPED', `${accountLabel(a)}: ${renameGrant(grant, args.rename)} was not applied: ${redactHashes(fromDriverError(error, 'granting').message, plan.hashes)}`);
          continue;
        }
        throw redacted(error, `granting to ${accountLabel(a)}`, plan.hashes);
      }
    }
  }
  for (const a of plan.create) for (const s of sql.setDefaultRoles(a)) await run(s, `setting the default role of ${accountLabel(a)}`);
  await revokeFromCreator({ ctl, plan, run });
  for (const a of plan.create) {
    created.push(accountLabel(a));
    args.emit({ type: 'account-created', account: accountLabel(a), isRole: a.isRole, grants: a.grants.length });
  }
  const skipped = plan.existing.map(accountLabel);
  for (const a of plan.existing) args.emit({ type: 'account-skipped', account: accountLabel(a), isRole: a.isRole, reason: 'exists' });
  return { created, skipped };
}

/** MariaDB's CREATE ROLE made the restoring account an admin of the role: that was not in the dump. */
async function revokeFromCreator(args: { ctl: TargetConnection; plan: AccountsPlan; run: (statement: string, doing: string) => Promise<void> }): Promise<void> {
  const { ctl, plan } = args;
  const sql = accountsSql(plan.flavor);
  const [me] = await ctl.query<{ me: string }>('SELECT CURRENT_USER() AS me');
  const at = (me?.me ?? '').lastIndexOf('@');
  const self = { user: (me?.me ?? '').slice(0, at), host: (me?.me ?? '').slice(at + 1), isRole: false };
  const selfName = accountSqlName(self, plan.flavor);
  const dumped = [...plan.create, ...plan.existing].find((a) => a.user === self.user && a.host === self.host);
  for (const role of plan.create.filter((a) => a.isRole)) {
    const statement = sql.revokeFromCreator(role);
    if (!statement) continue;
    const roleName = accountSqlName(role, plan.flavor);
    // Unless the dump itself grants the role to the restoring account.
    if (dumped?.grants.some((g) => grantedRole(g) === roleName && g.includes(` TO ${selfName}`))) continue;
    if (sql.holdsRole && (await ctl.query(sql.holdsRole, [self.user, self.host, role.user])).length === 0) continue;
    await args.run(statement, `revoking role ${accountLabel(role)} from the restoring account`);
  }
}

const QUOTED_ROLE = /^`(?:[^`]|``)+`(?:@`(?:[^`]|``)*`)?$/;

/**
 * The file's statements run as they are: each grant must grant to its own account and end there,
 * each default role be one quoted name, so a hand-edited file cannot grant to someone else.
 */
function checkStatements(file: AccountsFile, name: string): void {
  file.accounts.forEach((a, i) => {
    const to = ` TO ${accountSqlName(a, file.flavor)}`;
    // One statement per call (multipleStatements is off): what ends the grant is all that matters.
    const j = a.grants.findIndex((g) => !g.replace(/( WITH (GRANT|ADMIN) OPTION)+$/, '').endsWith(to));
    if (j >= 0) throw new ParadumpError('MANIFEST_INVALID', `${name}: accounts.${i}.grants.${j} does not grant to ${accountLabel(a)}`, { details: { reason: 'SCHEMA' } });
    if (a.defaultRoles.some((r) => !QUOTED_ROLE.test(r))) throw new ParadumpError('MANIFEST_INVALID', `${name}: accounts.${i}.defaultRoles is not a list of quoted role names`, { details: { reason: 'SCHEMA' } });
  });
}

/** The server's error, without a hash it may quote, and without the driver's error (it holds the statement). */
function redacted(error: unknown, doing: string, hashes: readonly string[]): ParadumpError {
  const failure = isParadumpError(error) ? error : fromDriverError(error, doing);
  return new ParadumpError(failure.code, redactHashes(failure.message, hashes), { details: { ...failure.details, errno: driverErrno(error) ?? null } });
}

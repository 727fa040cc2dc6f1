import { createHash } from 'node:crypto';
import { ACCOUNTS_FILE, AccountsFile, accountLabel, type AccountsSummary } from '../core/accounts.ts';
import type { DumpKey } from '../core/dump-key.ts';
import { encryptBuffer } from '../core/encrypted-file.ts';
import { writeFileAtomic } from '../core/write-file-atomic.ts';
import { readAccounts } from '../mysql/read-accounts.ts';
import type { Session } from '../mysql/session.ts';
import type { StorageTarget } from '../storage/target.ts';

/**
 * Reads the accounts and writes accounts/accounts.json, readable by its owner only (it holds the
 * password hashes). Resolves with what the manifest records: names and counts, never a hash.
 */
export async function dumpAccounts(args: {
  control: Session;
  target: StorageTarget;
  /** An encrypted dump's key: the file is sealed, and its recorded sha256 and size are of the sealed bytes. */
  key?: DumpKey | null;
  includeUsers: readonly string[];
  excludeUsers: readonly string[];
  warn: (w: { code: string; message: string }) => void;
}): Promise<AccountsSummary> {
  const { control } = args;
  const read = await readAccounts(control, { include: args.includeUsers, exclude: args.excludeUsers });
  for (const p of read.unmatched) args.warn({ code: 'USER_PATTERN_UNMATCHED', message: `${args.includeUsers.includes(p) ? '--include-users' : '--exclude-users'} ${p} matches no account` });
  const file = AccountsFile.parse({ format: 'paradump-accounts', version: 1, flavor: control.flavor.kind, accounts: read.accounts });
  const plain = JSON.stringify(file, null, 2) + '\n';
  const text = args.key ? encryptBuffer(args.key, plain) : plain;
  // Locally the file's mode keeps the hashes to its owner; an object store has no modes (its ACLs do).
  if (args.target.remote) await args.target.put(ACCOUNTS_FILE, text);
  else await writeFileAtomic(args.target.location, ACCOUNTS_FILE, text, { mode: 0o600 });
  return {
    file: ACCOUNTS_FILE,
    sha256: createHash('sha256').update(text).digest('hex'),
    bytes: Buffer.byteLength(text),
    list: read.accounts.map((a) => ({ user: a.user, host: a.host, isRole: a.isRole, grants: a.grants.length, defaultRoles: a.defaultRoles })),
    excluded: read.excluded,
  };
}

/** `user@host, …` of a summary, for a progress line. */
export function describeAccounts(summary: AccountsSummary): string {
  return summary.list.map(accountLabel).join(', ');
}

import { cardClass } from '../../../_components/ui.tsx';

export interface AccountChoice {
  label: string;
  isRole: boolean;
}

/** The dump's users and roles: whether to create them, and what to do with ones the target has. */
export function AccountsFields({ accounts }: { accounts: AccountChoice[] | null }) {
  if (!accounts || accounts.length === 0) return null;
  const users = accounts.filter((a) => !a.isRole).length;
  const roles = accounts.length - users;
  return (
    <fieldset className={`${cardClass} space-y-3`}>
      <legend className="px-1 text-sm font-medium">Accounts</legend>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="users" className="mt-1" />
        <span>
          <span className="font-medium">
            Create the dump’s {users} user{users === 1 ? '' : 's'} and {roles} role{roles === 1 ? '' : 's'}
          </span>
          <span className="block text-zinc-500">
            With their passwords (as hashes), grants (on renamed databases too), default roles and limits, after the data: {accounts.map((a) => a.label).join(', ')}. An account the target has already stops the restore before anything changes.
          </span>
        </span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="skipExistingUsers" className="mt-1" />
        <span>
          <span className="font-medium">Leave existing accounts as they are</span>
          <span className="block text-zinc-500">Accounts the target has already are kept unchanged and reported as skipped.</span>
        </span>
      </label>
    </fieldset>
  );
}

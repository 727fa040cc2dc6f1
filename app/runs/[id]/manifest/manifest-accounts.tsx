import { accountLabel } from '@/lib/core/accounts.ts';
import type { Manifest } from '@/lib/core/manifest.ts';

/** The users and roles in the dump, by name (the manifest holds no password hashes). */
export function ManifestAccounts({ accounts }: { accounts: Manifest['accounts'] }) {
  if (!accounts) return null;
  return (
    <section aria-labelledby="manifest-accounts" className="mb-6">
      <h2 id="manifest-accounts" className="mb-2 text-lg font-medium">
        Accounts
      </h2>
      {accounts.list.length === 0 ? (
        <p className="text-sm text-zinc-500">No accounts besides the system ones.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-zinc-500">
            <tr>
              <th className="py-1 font-medium">Account</th>
              <th className="py-1 font-medium">Kind</th>
              <th className="py-1 font-medium">Grants</th>
              <th className="py-1 font-medium">Default roles</th>
            </tr>
          </thead>
          <tbody>
            {accounts.list.map((a) => (
              <tr key={`${a.user}@${a.host}`} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1 font-mono text-xs">{accountLabel(a)}</td>
                <td className="py-1">{a.isRole ? 'role' : 'user'}</td>
                <td className="py-1">{a.grants}</td>
                <td className="py-1 font-mono text-xs">{a.defaultRoles.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {accounts.excluded.length > 0 ? <p className="mt-2 text-xs text-zinc-500">Left out (system or excluded): {accounts.excluded.join(', ')}</p> : null}
    </section>
  );
}

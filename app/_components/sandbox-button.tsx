'use client';

import { useActionState } from 'react';
import { startSandboxAction } from '../_actions/servers.ts';
import type { FormState } from '../_actions/state.ts';
import { FormAlert, secondaryButtonClass } from './ui.tsx';

/** Starts a local MariaDB with a sample database, for a first backup without a server of one's own. */
export function SandboxButton({ available }: { available: boolean }) {
  const [state, action, pending] = useActionState<FormState>(startSandboxAction, {});
  if (!available) {
    return (
      <p className="max-w-sm text-left text-sm text-zinc-500 dark:text-zinc-400">
        No MySQL of your own? Install MariaDB’s server programs (<code className="font-mono">apt-get install mariadb-server</code>) and a local sandbox with sample data is one click
        away.
      </p>
    );
  }
  return (
    <form action={action} className="max-w-sm text-left">
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        {pending ? 'Starting the sandbox…' : 'Start a local sandbox server'}
      </button>
      <p className="mt-1 text-xs text-zinc-500">A throwaway MariaDB with a sample database; it stops with the dashboard.</p>
      <div className="mt-2">
        <FormAlert state={state} />
      </div>
    </form>
  );
}

import type { FormValues } from '../../_components/sent-back.ts';
import { cardClass, FieldError, inputClass } from '../../_components/ui.tsx';

/** Where the dump is written; empty means the suggested folder under the dump root. */
export function OutputFields({ sent, suggestedOutDir }: { sent: FormValues; suggestedOutDir: string }) {
  const { errors, text } = sent;
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Output</legend>
      <label htmlFor="backup-out-dir" className="mb-1 block text-sm font-medium">
        Output location
      </label>
      <input
        id="backup-out-dir"
        name="outDir"
        type="text"
        defaultValue={text('outDir', '')}
        placeholder={suggestedOutDir}
        className={`${inputClass} font-mono`}
        aria-invalid={errors.outDir ? true : undefined}
        aria-describedby="backup-out-dir-hint backup-out-dir-error"
      />
      <p id="backup-out-dir-hint" className="mt-1 text-xs text-zinc-500">
        A new or empty folder on this machine. Leave empty for {suggestedOutDir}
      </p>
      <FieldError id="backup-out-dir-error" errors={errors.outDir} />
      <label className="mt-4 flex items-start gap-2 text-sm">
        <input type="checkbox" name="users" defaultChecked={text('users', 'false') === 'true'} className="mt-1" />
        <span>
          <span className="font-medium">Include users and roles</span>
          <span className="block text-zinc-500">Their grants, default roles, limits and password hashes, in a file only the dashboard’s user may read. The server’s own accounts (root@localhost, mariadb.sys, mysql.*) are left out.</span>
        </span>
      </label>
    </fieldset>
  );
}

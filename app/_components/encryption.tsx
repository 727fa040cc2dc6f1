import type { FormValues } from './sent-back.ts';
import { cardClass, Field } from './ui.tsx';

/** An encrypted dump: its files need the key whose id this is (neither the manifest nor the run holds the key). */
export function EncryptedBadge({ keyId }: { keyId: string }) {
  return (
    <span className="ml-2 inline-flex items-center rounded-full bg-violet-100 px-2 py-0.5 align-middle text-xs font-medium text-violet-800 dark:bg-violet-950 dark:text-violet-300" title={`AES-256-GCM; restore needs the key file with id ${keyId}`}>
      encrypted · key <span className="ml-1 font-mono">{keyId}</span>
    </span>
  );
}

/** Encrypt the dump with a key file: a path on the dashboard's machine (the key itself never crosses the form). */
export function EncryptionField({ id, sent, scheduled = false }: { id: string; sent: FormValues; scheduled?: boolean }) {
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Encryption</legend>
      <Field
        id={id}
        name="encryptKeyFile"
        label="Encrypt with key file (optional)"
        errors={sent.errors}
        defaultValue={sent.text('encryptKeyFile')}
        placeholder="/etc/paradump/backup.key"
        spellCheck={false}
        autoComplete="off"
        hint={`The path of a key file on the server that runs the dump (make one with: openssl rand -hex 32 > KEY). It is read ${scheduled ? 'when the plan is saved and at each backup' : 'now and at each attempt'}; only the path is stored, never the key. Keep the key: without it the backup cannot be restored.`}
      />
    </fieldset>
  );
}

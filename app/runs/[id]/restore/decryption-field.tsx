import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, Field } from '../../../_components/ui.tsx';

/** An encrypted dump's key file: a path on the dashboard's machine (the key itself never crosses the form). */
export function DecryptionField({ keyId, sent }: { keyId: string; sent: FormValues }) {
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Decryption</legend>
      <Field
        id="restore-key-file"
        name="decryptKeyFile"
        label="Key file"
        errors={sent.errors}
        defaultValue={sent.text('decryptKeyFile')}
        placeholder="/etc/paradump/backup.key"
        spellCheck={false}
        autoComplete="off"
        hint={`This backup is encrypted with key ${keyId}. Give the path of its key file on the server that runs the restore; it is checked before anything on the target changes.`}
      />
    </fieldset>
  );
}

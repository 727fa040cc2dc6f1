import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, FieldError } from '../../../_components/ui.tsx';

/** A verified copy of the backup the restore may read instead (a saved storage target's folder or prefix). */
export interface CopyChoice {
  id: string;
  targetName: string;
  location: string;
}

/** Where the restore reads the backup from: the backup itself (the default) or one of its verified copies. */
export function SourceCopyField({ outDir, copies, ownReadable, sent }: { outDir: string; copies: CopyChoice[]; ownReadable: boolean; sent: FormValues }) {
  const chosen = sent.text('sourceCopyId', ownReadable ? '' : (copies[0]?.id ?? ''));
  const choices = [...(ownReadable ? [{ id: '', label: 'The backup itself', location: outDir }] : []), ...copies.map((c) => ({ id: c.id, label: `Its copy on ${c.targetName}`, location: c.location }))];
  return (
    <fieldset className={cardClass} aria-describedby="restore-source-error">
      <legend className="px-1 text-sm font-medium">Read from</legend>
      <p className="mb-2 text-xs text-zinc-500">A copy is read through its saved storage target, with the same checks (every file's sha256, the key, verification after loading).</p>
      {choices.map((c) => (
        <label key={c.id || 'own'} className="flex items-start gap-2 py-1 text-sm">
          <input type="radio" name="sourceCopyId" value={c.id} defaultChecked={chosen === c.id} className="mt-1" />
          <span>
            <span className="font-medium">{c.label}</span>
            <span className="block font-mono text-xs break-all text-zinc-500">{c.location}</span>
          </span>
        </label>
      ))}
      <FieldError id="restore-source-error" errors={sent.errors.sourceCopyId} />
    </fieldset>
  );
}

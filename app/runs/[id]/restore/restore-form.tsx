'use client';

import { useActionState } from 'react';
import { startRestoreAction } from '../../../_actions/runs.ts';
import type { FormState } from '../../../_actions/state.ts';
import { sentBack } from '../../../_components/sent-back.ts';
import { buttonClass, FormAlert } from '../../../_components/ui.tsx';
import { useEditedFields } from '../../../_components/use-edited-fields.ts';
import { AccountsFields, type AccountChoice } from './accounts-fields.tsx';
import { DecryptionField } from './decryption-field.tsx';
import { LoadOptionsFields } from './load-options-fields.tsx';
import { PointInTimeFields, type PitrChoice } from './point-in-time-fields.tsx';
import { RestoreObjectsFields, type DatabaseChoice } from './restore-objects-fields.tsx';
import { SourceCopyField, type CopyChoice } from './source-copy-field.tsx';
import { TargetServerField, type TargetChoice } from './target-server-field.tsx';

/** The restore form: one field group per file, each filled in again from a refused submit. */
export function RestoreForm({
  sourceRunId,
  servers,
  databases,
  accounts,
  threads,
  format,
  defaultServerId,
  pitr,
  keyId,
  outDir,
  copies,
  ownReadable,
}: {
  sourceRunId: string;
  servers: TargetChoice[];
  databases: DatabaseChoice[];
  accounts: AccountChoice[] | null;
  threads: number;
  format: 'sql' | 'tsv';
  defaultServerId: string | null;
  pitr: PitrChoice;
  /** An encrypted dump's key id; null when the dump is not encrypted. */
  keyId: string | null;
  /** The backup's own folder, and its verified copies (none: the form reads the backup itself). */
  outDir: string;
  copies: CopyChoice[];
  /** The backup's own folder has a readable manifest; when not, only its copies are offered. */
  ownReadable: boolean;
}) {
  const [answered, action, pending] = useActionState<FormState, FormData>(startRestoreAction, {});
  // A corrected field drops its error at once, not at the next submit.
  const { shown: state, onChange } = useEditedFields(answered, answered);
  const sent = sentBack(state);
  if (servers.length === 0) return <p className="text-zinc-500">Add a server to restore into first.</p>;
  return (
    <form action={action} onChange={onChange} className="space-y-8" noValidate>
      <input type="hidden" name="sourceRunId" value={sourceRunId} />
      {copies.length > 0 ? <SourceCopyField outDir={outDir} copies={copies} ownReadable={ownReadable} sent={sent} /> : null}
      <TargetServerField servers={servers} defaultServerId={defaultServerId} sent={sent} />
      {keyId ? <DecryptionField keyId={keyId} sent={sent} /> : null}
      <RestoreObjectsFields databases={databases} sent={sent} />
      <LoadOptionsFields threads={threads} format={format} sent={sent} />
      <AccountsFields accounts={accounts} />
      {/* Mounted afresh after each answer, so the stop chosen follows what was submitted. */}
      <PointInTimeFields key={typeof state.values?.pitr === 'string' ? `${state.values.pitr}-${state.ok ?? ''}` : 'initial'} pitr={pitr} sent={sent} />
      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Starting…' : 'Start restore'}
      </button>
    </form>
  );
}

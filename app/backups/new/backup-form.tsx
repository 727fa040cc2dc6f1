'use client';

import { useActionState } from 'react';
import type { ServerObjects } from '@/lib/runs/servers.ts';
import { startBackupAction } from '../../_actions/runs.ts';
import type { FormState } from '../../_actions/state.ts';
import { sentBack } from '../../_components/sent-back.ts';
import { EncryptionField } from '../../_components/encryption.tsx';
import { buttonClass, FormAlert } from '../../_components/ui.tsx';
import { useEditedFields } from '../../_components/use-edited-fields.ts';
import { LockStrategyField } from './lock-strategy-field.tsx';
import { ObjectsPicker } from './objects-picker.tsx';
import { OutputFields } from './output-fields.tsx';
import { SourceServerField, type ServerChoice } from './source-server-field.tsx';
import { SpeedFields } from './speed-fields.tsx';

/** The new-backup form: one field group per file, each filled in again from a refused submit. */
export function BackupForm({ servers, serverId, objects, suggestedOutDir }: { servers: ServerChoice[]; serverId: string; objects: ServerObjects | null; suggestedOutDir: string }) {
  const [answered, action, pending] = useActionState<FormState, FormData>(startBackupAction, {});
  // A corrected field drops its error at once, not at the next submit.
  const { shown: state, onChange } = useEditedFields(answered, answered);
  const sent = sentBack(state);

  return (
    <form action={action} onChange={onChange} className="space-y-8" noValidate>
      <SourceServerField servers={servers} serverId={serverId} version={objects ? objects.version : null} />
      <ObjectsPicker objects={objects} sent={sent} />
      <SpeedFields sent={sent} />
      <LockStrategyField sent={sent} />
      <OutputFields sent={sent} suggestedOutDir={suggestedOutDir} />
      <EncryptionField id="backup-key-file" sent={sent} />
      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending || !objects}>
        {pending ? 'Starting…' : 'Start backup'}
      </button>
    </form>
  );
}

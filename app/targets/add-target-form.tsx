'use client';

import { useActionState, useState } from 'react';
import { addTargetAction, type TargetFormState } from '../_actions/targets.ts';
import { buttonClass, ChoiceSelect, Field, FormAlert, inputClass } from '../_components/ui.tsx';

/** A new storage target: saved only once its probe (list, write, delete a test object) went through. */
export function AddTargetForm() {
  const [state, action, pending] = useActionState<TargetFormState, FormData>(addTargetAction, {});
  const sent = (name: string, fallback = '') => (typeof state.values?.[name] === 'string' ? (state.values[name] as string) : fallback);
  const [kind, setKind] = useState(sent('kind', 's3'));
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field id="target-name" name="name" label="Name" errors={errors} defaultValue={sent('name')} />
      <div>
        <label htmlFor="target-kind" className="mb-1 block text-sm font-medium">
          Kind
        </label>
        <ChoiceSelect id="target-kind" name="kind" defaultValue={kind} className={inputClass} onChange={(e) => setKind(e.target.value)}>
          <option value="s3">S3-compatible bucket</option>
          <option value="local">Local directory</option>
        </ChoiceSelect>
      </div>
      <Field
        id="target-location"
        name="location"
        label={kind === 's3' ? 'Bucket and prefix' : 'Directory'}
        placeholder={kind === 's3' ? 's3://backups/db1' : '/mnt/backup2/paradump'}
        hint={kind === 's3' ? 'Each backup gets a prefix of its own under it.' : 'Inside the dump root or PARADUMP_TARGET_ROOTS; each backup gets a folder of its own.'}
        errors={errors}
        defaultValue={sent('location')}
      />
      {kind === 's3' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="target-endpoint" name="endpoint" label="Endpoint" placeholder="https://minio.internal:9000" hint="Empty for AWS." errors={errors} defaultValue={sent('endpoint')} />
          <Field id="target-region" name="region" label="Region" placeholder="us-east-1" errors={errors} defaultValue={sent('region')} />
          <Field id="target-access-key-id" name="accessKeyId" label="Access key id" autoComplete="off" errors={errors} defaultValue={sent('accessKeyId')} />
          <Field id="target-secret" name="secretAccessKey" label="Secret access key" type="password" autoComplete="new-password" hint="Stored sealed; never shown again." errors={errors} />
        </div>
      ) : null}
      <FormAlert state={state} />
      <div aria-live="polite" aria-atomic="true">
        {state.saved ? (
          <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200">
            Saved “{state.saved.name}”: the probe listed, wrote and deleted a test object at {state.saved.location}.
          </p>
        ) : null}
      </div>
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Probing…' : 'Probe and save'}
      </button>
    </form>
  );
}

'use client';

import { useActionState, useState } from 'react';
import { savePlanAction } from '../_actions/plans.ts';
import type { FormState } from '../_actions/state.ts';
import { EncryptionField } from '../_components/encryption.tsx';
import { buttonClass, FormAlert } from '../_components/ui.tsx';
import { PlanAlertFields } from './plan-alert-fields.tsx';
import { PlanCopyFields, type TargetChoice } from './plan-copy-fields.tsx';
import { formValues } from '../_components/sent-back.ts';
import { PlanHowFields } from './plan-how-fields.tsx';
import { PlanRetentionFields, RETENTION } from './plan-retention-fields.tsx';
import { PlanScheduleFields } from './plan-schedule-fields.tsx';
import { PlanWhatFields, type ServerChoice } from './plan-what-fields.tsx';
import { usePlanPreview } from './use-plan-preview.ts';

type Values = Record<string, string | string[]>;

/** A backup plan's form, new or edited: one field group per file; schedule and retention preview live. */
export function PlanForm({ servers, targets, initial, planId, hasWebhookSecret, hasSmtpPassword }: { servers: ServerChoice[]; targets: TargetChoice[]; initial: Values; planId: string | null; hasWebhookSecret: boolean; hasSmtpPassword: boolean }) {
  const [state, action, pending] = useActionState<FormState, FormData>(savePlanAction, {});
  const values = formValues({ ...initial, ...(state.values ?? {}) }, state.fieldErrors ?? {});
  const { text } = values;
  const [cron, setCron] = useState(text('cron', '0 2 * * *'));
  const [timeZone, setTimeZone] = useState(text('timeZone', 'UTC'));
  const [retention, setRetention] = useState<Record<string, string>>(() => Object.fromEntries(RETENTION.map((r) => [r.name, text(r.name, r.name === 'keepLast' ? '7' : '0')])));
  const preview = usePlanPreview({ cron, timeZone, retention, planId });

  return (
    <form action={action} className="space-y-8" noValidate>
      {planId ? <input type="hidden" name="planId" value={planId} /> : null}
      <PlanWhatFields servers={servers} values={values} />
      <PlanHowFields values={values} />
      <EncryptionField id="plan-key-file" sent={values} scheduled />
      <PlanScheduleFields values={values} cron={cron} onCron={setCron} timeZone={timeZone} onTimeZone={setTimeZone} preview={preview} />
      <PlanRetentionFields values={values} retention={retention} onRetention={(name, value) => setRetention((prev) => ({ ...prev, [name]: value }))} preview={preview} />
      <PlanCopyFields values={values} targets={targets} />
      <PlanAlertFields values={values} editing={Boolean(planId)} hasWebhookSecret={hasWebhookSecret} hasSmtpPassword={hasSmtpPassword} />
      <FormAlert state={state} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? 'Saving…' : planId ? 'Save plan' : 'Create plan'}
      </button>
    </form>
  );
}

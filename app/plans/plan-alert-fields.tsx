import { cardClass, Field } from '../_components/ui.tsx';
import type { FormValues } from '../_components/sent-back.ts';

/** Where and when the plan alerts: webhook, email over SMTP, and the conditions beyond failure. */
export function PlanAlertFields({ values, editing, hasWebhookSecret, hasSmtpPassword }: { values: FormValues; editing: boolean; hasWebhookSecret: boolean; hasSmtpPassword: boolean }) {
  const { errors, text, checked } = values;
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Alerts</legend>
      <p className="mb-3 text-xs text-zinc-500">Failures always alert. Secrets are stored encrypted{editing ? '; leave a secret empty to keep the saved one' : ''}.</p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="plan-webhook-url" name="webhookUrl" label="Webhook URL" errors={errors} defaultValue={text('webhookUrl')} placeholder="https://hooks.example.com/paradump" />
        <Field id="plan-webhook-secret" name="webhookSecret" label="Webhook secret" type="password" autoComplete="off" errors={errors} placeholder={hasWebhookSecret ? '(saved)' : 'at least 16 characters'} hint="Signs each request: X-Paradump-Signature: sha256=HMAC(secret, timestamp.body)" />
        <Field id="plan-email-to" name="emailTo" label="Email to" errors={errors} defaultValue={text('emailTo')} placeholder="ops@example.com" />
        <Field id="plan-smtp-from" name="smtpFrom" label="From" errors={errors} defaultValue={text('smtpFrom')} placeholder="paradump@example.com" />
        <Field id="plan-smtp-host" name="smtpHost" label="SMTP host" errors={errors} defaultValue={text('smtpHost')} />
        <Field id="plan-smtp-port" name="smtpPort" label="SMTP port" type="number" errors={errors} defaultValue={text('smtpPort', '587')} />
        <Field id="plan-smtp-user" name="smtpUser" label="SMTP user" errors={errors} defaultValue={text('smtpUser')} autoComplete="off" />
        <Field id="plan-smtp-password" name="smtpPassword" label="SMTP password" type="password" autoComplete="off" errors={errors} placeholder={hasSmtpPassword ? '(saved)' : ''} />
      </div>
      <div className="mt-3 flex flex-wrap gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="smtpSecure" defaultChecked={checked('smtpSecure')} /> TLS from the start (port 465)
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="onSuccess" defaultChecked={checked('onSuccess')} /> Also on success
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="stale" defaultChecked={text('stale', 'on') === 'on'} /> When stale (no good backup within the schedule)
        </label>
      </div>
      <div className="mt-3 max-w-xs">
        <Field id="plan-slow" name="slowFactor" label="Slow: alert above × usual time" type="number" step="0.1" errors={errors} defaultValue={text('slowFactor')} placeholder="e.g. 2 (empty: never)" />
      </div>
    </fieldset>
  );
}

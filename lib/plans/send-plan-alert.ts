import { ParadumpError, isParadumpError } from '../core/errors.ts';
import { getPrisma } from '../store/prisma.ts';
import { AlertEvent, type AlertType, type CopyAlertPart, type DrillAlertPart } from './alert-event.ts';
import { writePlanLog } from './plan-log.ts';
import { getPlanView, loadPlanSecrets, type PlanView } from './plan-store.ts';
import { sendEmail } from './send-email.ts';
import { sendWebhook } from './send-webhook.ts';

const SUMMARY: Record<AlertType, (plan: PlanView, run: AlertEvent['run'], drill: DrillAlertPart | null, copy: CopyAlertPart | null) => string> = {
  failure: (p, r) => `Backup plan “${p.name}” failed: ${r?.error ? `${r.error.code}: ${r.error.message}` : (r?.status ?? 'unknown')}`,
  success: (p, r) => `Backup plan “${p.name}” succeeded (${r?.bytes ?? 0} bytes)`,
  slow: (p, r) => `Backup plan “${p.name}” was slow: ${Math.round((r?.durationMs ?? 0) / 1000)} s, more than ${p.alerts.slowFactor}× its usual time`,
  stale: (p) => `Backup plan “${p.name}” is stale: no good backup within its schedule (${p.schedule.cron}, ${p.schedule.timeZone})`,
  test: (p) => `Test alert from backup plan “${p.name}”`,
  'drill-failed': (p, _r, d) => `Restore drill of plan “${p.name}” failed: ${d ? `${d.error.code}: ${d.error.message}` : 'unknown'}`,
  'copy-failed': (p, _r, _d, c) => `Copy failed: backup of plan “${p.name}” to storage target “${c?.target ?? 'unknown'}”: ${c ? `${c.error.code}: ${c.error.message}` : 'unknown'}`,
};

async function runPart(runId: string | null): Promise<AlertEvent['run']> {
  if (!runId) return null;
  const r = await getPrisma().run.findUnique({ where: { id: runId }, select: { id: true, status: true, startedAt: true, finishedAt: true, bytes: true, errorCode: true, errorMessage: true } });
  if (!r) return null;
  return {
    id: r.id,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    bytes: Number(r.bytes),
    durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
  };
}

export interface AlertOptions {
  webhook?: { attempts?: number; timeoutMs?: number; backoffMs?: number };
}

/**
 * Sends one alert to each of the plan's channels. Every attempt and its answer goes to the plan log.
 * Resolves with the channels' outcomes; throws only NO_ALERT_CHANNEL (a plan without any).
 */
export async function sendPlanAlert({ planId, type, runId = null, drill = null, copy = null, options = {} }: { planId: string; type: AlertType; runId?: string | null; drill?: DrillAlertPart | null; copy?: CopyAlertPart | null; options?: AlertOptions }): Promise<{ channel: 'webhook' | 'email'; ok: boolean; code: string | null; message: string }[]> {
  const plan = await getPlanView({ id: planId });
  const { webhook, email } = plan.alerts;
  if (!webhook && !email) throw new ParadumpError('NO_ALERT_CHANNEL', `plan "${plan.name}" has no webhook and no email`);
  const run = await runPart(runId);
  const event = AlertEvent.parse({ version: 1, type, at: new Date().toISOString(), plan: { id: plan.id, name: plan.name, server: plan.serverName }, run, drill, copy, summary: SUMMARY[type](plan, run, drill, copy) });
  const secrets = await loadPlanSecrets({ id: planId });
  const log = (level: 'info' | 'error', code: string | null, message: string) => writePlanLog({ planId, runId, kind: 'alert', level, code, message });
  const results: { channel: 'webhook' | 'email'; ok: boolean; code: string | null; message: string }[] = [];
  if (webhook) {
    try {
      const last = await sendWebhook({
        url: webhook.url,
        secret: secrets.webhookSecret,
        body: JSON.stringify(event),
        event: type,
        ...options.webhook,
        onAttempt: (a) => log(a.ok ? 'info' : 'error', a.ok ? null : 'WEBHOOK_FAILED', `Webhook ${type} alert, attempt ${a.attempt}: ${a.answer} (${a.durationMs} ms)`),
      });
      results.push({ channel: 'webhook', ok: true, code: null, message: last.answer });
    } catch (error) {
      if (!isParadumpError(error)) throw error;
      await log('error', error.code, error.message);
      results.push({ channel: 'webhook', ok: false, code: error.code, message: error.message });
    }
  }
  if (email) {
    try {
      const answer = await sendEmail({ smtp: email.smtp, password: secrets.smtpPassword, to: email.to, subject: `[paradump] ${event.summary}`, text: `${event.summary}\n\n${JSON.stringify(event, null, 2)}\n` });
      await log('info', null, `Email ${type} alert to ${email.to.join(', ')}: ${answer}`);
      results.push({ channel: 'email', ok: true, code: null, message: answer });
    } catch (error) {
      if (!isParadumpError(error)) throw error;
      await log('error', error.code, `Email ${type} alert to ${email.to.join(', ')}: ${error.message}`);
      results.push({ channel: 'email', ok: false, code: error.code, message: error.message });
    }
  }
  return results;
}

import { getPrisma } from '../store/prisma.ts';
import { copyRunToTargets } from '../targets/copy-run.ts';
import { applyRetention } from './apply-retention.ts';
import { decideRunAlerts, isStale } from './decide-alerts.ts';
import { writePlanLog } from './plan-log.ts';
import { getPlanView, type PlanView } from './plan-store.ts';
import { expectedInterval } from './schedule.ts';
import { sendPlanAlert, type AlertOptions } from './send-plan-alert.ts';

/** Durations of the plan's good runs before `runId`, newest first. */
async function earlierGoodDurations({ planId, runId }: { planId: string; runId: string }): Promise<number[]> {
  const runs = await getPrisma().run.findMany({ where: { planId, status: 'succeeded', NOT: { id: runId }, finishedAt: { not: null } }, orderBy: { startedAt: 'desc' }, take: 10, select: { startedAt: true, finishedAt: true } });
  return runs.map((r) => r.finishedAt!.getTime() - r.startedAt.getTime());
}

/**
 * A good backup's copies to the plan's copy targets, each logged; a failed one alerts ("copy
 * failed", the target and the code) on the plan's channels. The other copies are kept.
 */
async function copyToTargets({ plan, runId, alertOptions }: { plan: PlanView; runId: string; alertOptions?: AlertOptions }): Promise<void> {
  const outcomes = await copyRunToTargets({ runId, targetIds: plan.copyTargetIds });
  for (const o of outcomes) {
    if (o.ok) await writePlanLog({ planId: plan.id, runId, kind: 'copy', level: 'info', message: `Copied backup ${runId} to storage target “${o.targetName}” (${o.location}, ${o.bytes} bytes), verified` });
    else await writePlanLog({ planId: plan.id, runId, kind: 'copy', level: 'error', code: o.error!.code, message: `Copy of backup ${runId} to storage target “${o.targetName}” (${o.location}) failed: ${o.error!.message}` });
  }
  if (!plan.alerts.webhook && !plan.alerts.email) return;
  for (const o of outcomes.filter((x) => !x.ok)) {
    await sendPlanAlert({ planId: plan.id, type: 'copy-failed', runId, copy: { target: o.targetName, location: o.location, error: o.error! }, options: alertOptions });
  }
}

/** A run of a plan has ended: log it, copy a good backup to the plan's copy targets, apply retention (only a success deletes anything), send the alerts it raises. */
export async function afterPlanRun({ planId, runId, alertOptions }: { planId: string; runId: string; alertOptions?: AlertOptions }): Promise<void> {
  const run = await getPrisma().run.findUnique({ where: { id: runId }, select: { status: true, startedAt: true, finishedAt: true, errorCode: true, errorMessage: true, bytes: true } });
  if (!run) return;
  const durationMs = run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  const good = run.status === 'succeeded';
  await writePlanLog({ planId, runId, kind: 'run', level: good ? 'info' : 'error', code: run.errorCode, message: good ? `Backup ${runId} succeeded: ${run.bytes} bytes in ${Math.round((durationMs ?? 0) / 100) / 10} s` : `Backup ${runId} ${run.status}${run.errorMessage ? `: ${run.errorMessage}` : ''}` });
  const plan = await getPlanView({ id: planId });
  if (good && plan.copyTargetIds.length > 0) await copyToTargets({ plan, runId, alertOptions });
  // Called for every run: one that did not succeed deletes nothing and says so in the plan log.
  await applyRetention({ planId, runId });
  const types = decideRunAlerts({ alerts: plan.alerts, status: run.status, durationMs, earlierGoodDurations: await earlierGoodDurations({ planId, runId }) });
  // A good backup ends the stale spell whether or not the plan has a channel now, so that a channel
  // added later still hears of the next one.
  if (good) await getPrisma().plan.update({ where: { id: planId }, data: { staleAlertAt: null } });
  if (!plan.alerts.webhook && !plan.alerts.email) return;
  for (const type of types) await sendPlanAlert({ planId, type, runId, options: alertOptions });
}

/** When the plan's newest good backup finished, or null. */
export async function lastGoodBackupAt({ planId }: { planId: string }): Promise<Date | null> {
  const run = await getPrisma().run.findFirst({ where: { planId, status: 'succeeded', deleteState: null }, orderBy: { finishedAt: 'desc' }, select: { finishedAt: true } });
  return run?.finishedAt ?? null;
}

export async function planIsStale({ plan, now = new Date() }: { plan: PlanView; now?: Date }): Promise<boolean> {
  if (plan.paused) return false;
  const intervalMs = expectedInterval({ schedule: plan.schedule, from: now });
  return isStale({ lastGoodAt: await lastGoodBackupAt({ planId: plan.id }), createdAt: plan.createdAt, intervalMs, now });
}

/** Sends the stale alert once per stale spell (until the next good backup). */
export async function checkStale({ plan, now = new Date(), alertOptions }: { plan: PlanView; now?: Date; alertOptions?: AlertOptions }): Promise<boolean> {
  if (!plan.alerts.stale || (!plan.alerts.webhook && !plan.alerts.email)) return false;
  if (!(await planIsStale({ plan, now }))) return false;
  const row = await getPrisma().plan.findUnique({ where: { id: plan.id }, select: { staleAlertAt: true } });
  if (row?.staleAlertAt) return false;
  await getPrisma().plan.update({ where: { id: plan.id }, data: { staleAlertAt: now } });
  await writePlanLog({ planId: plan.id, kind: 'alert', level: 'warning', code: null, message: 'No good backup within the schedule’s interval: the plan is stale' });
  await sendPlanAlert({ planId: plan.id, type: 'stale', options: alertOptions });
  return true;
}

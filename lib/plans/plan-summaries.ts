import { getPrisma } from '../store/prisma.ts';
import { getPlanService } from './plan-service.ts';
import { getPlanView, listPlans, type PlanView } from './plan-store.ts';
import { readPlanLog, type PlanLogEntry } from './plan-log.ts';
import { planIsStale, stalePlansFirst } from './plan-staleness.ts';
import { describeSchedule, nextRuns } from './schedule.ts';

export interface PlanSummary {
  plan: PlanView;
  description: string;
  nextRunAt: Date | null;
  /** copyState `partial`: a copy to a storage target failed (the run is partially failed). */
  lastRun: { id: string; status: string; finishedAt: Date | null; copyState: string | null } | null;
  lastGoodAt: Date | null;
  stale: boolean;
  /** A run of the plan is queued or going in this process's scheduler. */
  busy: boolean;
}

async function summarize(plan: PlanView, now: Date): Promise<PlanSummary> {
  const prisma = getPrisma();
  const [lastRun, lastGood] = await Promise.all([
    prisma.run.findFirst({ where: { planId: plan.id }, orderBy: { startedAt: 'desc' }, select: { id: true, status: true, finishedAt: true, copyState: true } }),
    prisma.run.findFirst({ where: { planId: plan.id, status: 'succeeded', deleteState: null }, orderBy: { finishedAt: 'desc' }, select: { finishedAt: true } }),
  ]);
  const lastGoodAt = lastGood?.finishedAt ?? null;
  return {
    plan,
    description: describeSchedule(plan.schedule),
    nextRunAt: plan.paused ? null : (nextRuns({ schedule: plan.schedule, after: now, count: 1 })[0] ?? null),
    lastRun,
    lastGoodAt,
    stale: planIsStale({ plan, lastGoodAt, now }),
    busy: getPlanService()?.scheduler.isBusy(plan.id) ?? false,
  };
}

/** Every plan for the Plans page and the overview: stale ones first, then by name. */
export async function listPlanSummaries({ now = new Date() }: { now?: Date } = {}): Promise<PlanSummary[]> {
  const summaries = await Promise.all((await listPlans()).map((p) => summarize(p, now)));
  return stalePlansFirst(summaries);
}

export interface PlanRunRow {
  id: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  bytes: number;
  scheduledFor: Date | null;
  deleteState: string | null;
  deletedAt: Date | null;
  errorCode: string | null;
  copyState: string | null;
  /** What the retention pass after this run did, in the plan log's words. */
  retention: string[];
}

/** One plan with its runs (newest first) and its log. */
export async function getPlanDetail({ id, now = new Date() }: { id: string; now?: Date }): Promise<{ summary: PlanSummary; runs: PlanRunRow[]; log: PlanLogEntry[] }> {
  const plan = await getPlanView({ id });
  const [summary, runs, log] = await Promise.all([
    summarize(plan, now),
    getPrisma().run.findMany({ where: { planId: id }, orderBy: { startedAt: 'desc' }, take: 100, select: { id: true, status: true, startedAt: true, finishedAt: true, bytes: true, scheduledFor: true, deleteState: true, deletedAt: true, errorCode: true, copyState: true } }),
    readPlanLog({ planId: id, limit: 300 }),
  ]);
  const retentionByRun = new Map<string, string[]>();
  for (const entry of log) if (entry.kind === 'retention' && entry.runId) (retentionByRun.get(entry.runId) ?? retentionByRun.set(entry.runId, []).get(entry.runId)!).unshift(entry.message);
  return {
    summary,
    runs: runs.map((r) => ({ ...r, bytes: Number(r.bytes), durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null, retention: retentionByRun.get(r.id) ?? [] })),
    log,
  };
}

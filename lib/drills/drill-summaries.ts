import { getPlanView, listPlans, type PlanView } from '../plans/plan-store.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillHealth, type DrillHealthState } from './drill-due.ts';
import type { DrillPolicy } from './drill-schema.ts';
import { getDrillPolicy, listDrillPolicies, listDrills, toDrillView, type DrillView, type StoredDrillPolicy } from './drill-store.ts';

/** A plan's drills at a glance: "last proven restore: 3 h ago, recovery time 4 min 12 s, recovery point 02:00:03". */
export interface DrillSummary {
  planId: string;
  policy: DrillPolicy;
  /** The newest drill that succeeded: the last proven restore. */
  lastProven: DrillView | null;
  /** The newest drill, whatever its outcome (running included). */
  last: DrillView | null;
  running: boolean;
  health: DrillHealthState;
  /** Red badge: the last drill failed, or the last proven restore is older than the policy means. */
  red: boolean;
}

async function summarize({ stored, plan, now }: { stored: StoredDrillPolicy; plan: PlanView; now: Date }): Promise<DrillSummary> {
  const prisma = getPrisma();
  const [last, lastFinished, lastProven] = await Promise.all([
    prisma.drill.findFirst({ where: { planId: plan.id }, orderBy: { startedAt: 'desc' } }),
    prisma.drill.findFirst({ where: { planId: plan.id, status: { notIn: ['queued', 'running'] } }, orderBy: { startedAt: 'desc' } }),
    prisma.drill.findFirst({ where: { planId: plan.id, status: 'succeeded' }, orderBy: { startedAt: 'desc' } }),
  ]);
  const health = drillHealth({ policy: stored.policy, planSchedule: plan.schedule, lastFinished, lastProvenAt: lastProven?.finishedAt ?? null, createdAt: stored.createdAt, now });
  return { planId: plan.id, policy: stored.policy, lastProven: lastProven ? toDrillView(lastProven) : null, last: last ? toDrillView(last) : null, running: last?.status === 'running' || last?.status === 'queued', health: health.state, red: health.red };
}

/** Drill summaries of every plan that has a drill policy, by plan id. */
export async function listDrillSummaries({ now = new Date() }: { now?: Date } = {}): Promise<Map<string, DrillSummary>> {
  const [policies, plans] = await Promise.all([listDrillPolicies(), listPlans()]);
  const byId = new Map(plans.map((p) => [p.id, p]));
  const out = new Map<string, DrillSummary>();
  for (const stored of policies) {
    const plan = byId.get(stored.planId);
    if (plan) out.set(plan.id, await summarize({ stored, plan, now }));
  }
  return out;
}

/** One plan's drill policy, summary and last 30 drills (newest first); null without a policy. */
export async function getPlanDrills({ planId, now = new Date() }: { planId: string; now?: Date }): Promise<{ summary: DrillSummary; drills: DrillView[] } | null> {
  const stored = await getDrillPolicy({ planId });
  if (!stored) return null;
  const plan = await getPlanView({ id: planId });
  const [summary, drills] = await Promise.all([summarize({ stored, plan, now }), listDrills({ planId, limit: 30 })]);
  return { summary, drills };
}

/** A server's drills at a glance: the newest proven restore over its plans, and how many of them are red. */
export interface ServerDrillSummary {
  serverId: string;
  /** The newest succeeded drill of any of the server's plans, with that plan's name. */
  lastProven: (DrillView & { planName: string }) | null;
  /** Plans of the server with a drill policy. */
  plans: number;
  /** Of those, the ones whose badge is red (last drill failed, or overdue). */
  red: number;
}

/** Drill summaries per source server (the servers whose plans have a drill policy), by server id. */
export async function listServerDrillSummaries({ now = new Date() }: { now?: Date } = {}): Promise<Map<string, ServerDrillSummary>> {
  const [summaries, plans] = await Promise.all([listDrillSummaries({ now }), listPlans()]);
  const out = new Map<string, ServerDrillSummary>();
  for (const plan of plans) {
    const summary = summaries.get(plan.id);
    if (!summary) continue;
    const entry = out.get(plan.serverId) ?? { serverId: plan.serverId, lastProven: null, plans: 0, red: 0 };
    entry.plans++;
    if (summary.red) entry.red++;
    const proven = summary.lastProven;
    if (proven && (!entry.lastProven || (proven.finishedAt ?? proven.startedAt) > (entry.lastProven.finishedAt ?? entry.lastProven.startedAt))) entry.lastProven = { ...proven, planName: plan.name };
    out.set(plan.serverId, entry);
  }
  return out;
}

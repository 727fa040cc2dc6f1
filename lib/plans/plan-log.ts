import { z } from 'zod';
import { getPrisma } from '../store/prisma.ts';

export const PlanLogKind = z.enum(['schedule', 'run', 'retention', 'alert', 'drill', 'copy']);
export type PlanLogKind = z.infer<typeof PlanLogKind>;

export const PlanLogEntry = z.object({
  at: z.date(),
  kind: PlanLogKind,
  level: z.enum(['info', 'warning', 'error']),
  code: z.string().nullable(),
  message: z.string(),
  runId: z.string().nullable(),
});
export type PlanLogEntry = z.infer<typeof PlanLogEntry>;

/** Appends one line to the plan's log (schedule decisions, retention deletions, alert attempts). */
export async function writePlanLog({ planId, runId = null, kind, level, code = null, message, at = new Date() }: { planId: string; runId?: string | null; kind: PlanLogKind; level: PlanLogEntry['level']; code?: string | null; message: string; at?: Date }): Promise<void> {
  await getPrisma().planLog.create({ data: { planId, runId, kind, level, code, message, at } });
}

/** The newest entries first. */
export async function readPlanLog({ planId, limit = 200 }: { planId: string; limit?: number }): Promise<PlanLogEntry[]> {
  const rows = await getPrisma().planLog.findMany({ where: { planId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit });
  return rows.map((r) => PlanLogEntry.parse({ at: r.at, kind: r.kind, level: r.level, code: r.code, message: r.message, runId: r.runId }));
}

import { z } from 'zod';
import { PlanSchedule, Retention, issueCode } from './plan-schema.ts';
import { retentionCandidates } from './apply-retention.ts';
import { describeSchedule, formatInZone, nextRuns } from './schedule.ts';
import { selectRetention } from './select-retention.ts';

export const PreviewInput = z.object({
  cron: z.string().default(''),
  timeZone: z.string().default(''),
  retention: z.record(z.string(), z.unknown()).default({}),
  planId: z.string().nullable().default(null),
});

export const PreviewReply = z.object({
  schedule: z.union([
    z.object({ ok: z.literal(true), description: z.string(), next: z.array(z.object({ at: z.string(), local: z.string() })) }),
    z.object({ ok: z.literal(false), field: z.enum(['cron', 'timeZone']), code: z.string(), message: z.string() }),
  ]),
  retention: z.union([
    z.object({ ok: z.literal(true), backups: z.array(z.object({ id: z.string(), at: z.string(), good: z.boolean(), keep: z.boolean(), reasons: z.array(z.string()) })) }),
    z.object({ ok: z.literal(false), field: z.string(), code: z.string(), message: z.string() }),
  ]),
});
export type PreviewReply = z.infer<typeof PreviewReply>;

/** What the plan form shows as the user types: the next five runs in words, and what retention would keep of the plan's backups. */
export async function previewPlan(input: z.input<typeof PreviewInput>, now = new Date()): Promise<PreviewReply> {
  const { cron, timeZone, retention, planId } = PreviewInput.parse(input);
  const schedule = PlanSchedule.safeParse({ cron, timeZone });
  const policy = Retention.safeParse(retention);
  const zone = schedule.success ? schedule.data.timeZone : 'UTC';
  return PreviewReply.parse({
    schedule: schedule.success
      ? { ok: true, description: describeSchedule(schedule.data), next: nextRuns({ schedule: schedule.data, after: now, count: 5 }).map((at) => ({ at: at.toISOString(), local: formatInZone({ at, timeZone: zone }) })) }
      : { ok: false, field: schedule.error.issues[0]!.path[0] === 'timeZone' ? 'timeZone' : 'cron', code: issueCode(schedule.error.issues[0]!), message: schedule.error.issues[0]!.message },
    retention: !policy.success
      ? { ok: false, field: String(policy.error.issues[0]!.path[0] ?? 'keepLast'), code: issueCode(policy.error.issues[0]!), message: policy.error.issues[0]!.message }
      : await (async () => {
          const backups = planId ? await retentionCandidates({ planId }) : [];
          const outcome = selectRetention({ backups, policy: policy.data, timeZone: zone });
          const sorted = [...backups].sort((a, b) => b.at.getTime() - a.at.getTime());
          return { ok: true, backups: sorted.map((b) => ({ id: b.id, at: b.at.toISOString(), good: b.good, keep: outcome.keep.has(b.id), reasons: outcome.keep.get(b.id) ?? [] })) };
        })(),
  });
}

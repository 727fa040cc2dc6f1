import { z } from 'zod';
import { PlanSchedule } from '../plans/plan-schema.ts';

// The one schema of a plan's restore drill policy. The form, the store and the scheduler all go
// through it; the stored JSON is this schema's output.

/**
 * A check is one read-only query: it runs inside `START TRANSACTION READ ONLY` with the drill's copy
 * of the database as the default, and only SELECT (or WITH … SELECT) is accepted, so a check cannot
 * change the scratch server even by mistake (a DDL statement would commit implicitly).
 */
export function checkSqlProblem(sql: string): string | null {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(text)) return 'A check is one SELECT query (or WITH … SELECT)';
  if (text.includes(';')) return 'One query per check, without a semicolon inside';
  if (/\binto\s+(outfile|dumpfile|@)/i.test(text)) return 'A check only reads: no SELECT … INTO';
  if (/\bfor\s+update\b|\block\s+in\s+share\s+mode\b/i.test(text)) return 'A check only reads: no locking reads';
  return null;
}

export const CompareOp = z.enum(['=', '!=', '>', '>=', '<', '<='], { error: 'Pick a comparison' });
export type CompareOp = z.infer<typeof CompareOp>;

export const DrillCheck = z.object({
  /** Shown in the drill's result; the query itself when empty. */
  name: z.string().trim().max(100, { error: 'At most 100 characters' }).default(''),
  /** The dumped database (source name) the query runs in; empty: the backup's first database. */
  database: z.string().trim().max(64, { error: 'At most 64 characters' }).default(''),
  sql: z
    .string()
    .trim()
    .min(1, { error: 'Enter a query' })
    .max(10_000, { error: 'At most 10,000 characters' })
    .superRefine((v, ctx) => {
      const problem = checkSqlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => v.replace(/;\s*$/, '')),
  /** The first column of the first row, compared with `expected`: as numbers when both are numbers, else as text (= and != only). */
  compare: CompareOp.default('='),
  expected: z.string().trim().min(1, { error: 'Enter the expected value' }).max(1_000, { error: 'At most 1,000 characters' }),
});
export type DrillCheck = z.infer<typeof DrillCheck>;

export const DrillTrigger = z.discriminatedUnion('kind', [
  /** After every Nth good backup of the plan. */
  z.object({ kind: z.literal('backups'), every: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 1000' }).max(1000, { error: 'From 1 to 1000' }).default(1) }),
  /** On its own cron schedule (the plans' cron and time zone rules). */
  z.object({ kind: z.literal('schedule'), schedule: PlanSchedule }),
]);
export type DrillTrigger = z.infer<typeof DrillTrigger>;

export const DrillTargetChoice = z.discriminatedUnion('kind', [
  /** A MariaDB started for the drill in a temp dir and stopped (by PID) after it. */
  z.object({ kind: z.literal('throwaway') }),
  /** A saved server kept for drills; the drill creates renamed databases there and drops them after. */
  z.object({ kind: z.literal('server'), serverId: z.string().min(1, { error: 'Pick the scratch server' }) }),
]);
export type DrillTargetChoice = z.infer<typeof DrillTargetChoice>;

export const DrillPolicy = z.object({
  enabled: z.boolean().default(true),
  trigger: DrillTrigger,
  target: DrillTargetChoice,
  /** Every restored database is named `<prefix><name>`, so nothing real on the target is touched. */
  prefix: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_]{1,20}$/, { error: '1 to 20 letters, digits or underscores' })
    .default('drill_'),
  threads: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 64' }).max(64, { error: 'From 1 to 64' }).default(4),
  checks: z.array(DrillCheck).max(20, { error: 'At most 20 checks' }).default([]),
  /**
   * After the restore is verified, replay the source's binary log from the backup's snapshot up to
   * the drill's start (lib/restore pitr), so the drill proves the recovery point too; the checks then
   * run on the rolled-forward copy. Needs a backup with binlog coordinates and the source saved. @default false
   */
  rollForward: z.boolean().default(false),
});
export type DrillPolicy = z.infer<typeof DrillPolicy>;
export type DrillPolicyInput = z.input<typeof DrillPolicy>;

/** The name a database of the backup gets on the drill's target. */
export function drillDatabaseName({ prefix, database }: { prefix: string; database: string }): string {
  return `${prefix}${database}`;
}

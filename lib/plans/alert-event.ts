import { z } from 'zod';

export const AlertType = z.enum(['failure', 'success', 'slow', 'stale', 'test', 'drill-failed', 'copy-failed']);
export type AlertType = z.infer<typeof AlertType>;

/** The webhook's JSON body, and what the email says. Versioned: receivers branch on `version`. */
export const AlertEvent = z.object({
  version: z.literal(1),
  type: AlertType,
  at: z.string(),
  plan: z.object({ id: z.string(), name: z.string(), server: z.string() }),
  run: z
    .object({
      id: z.string(),
      status: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      bytes: z.number(),
      durationMs: z.number().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  /** For `drill-failed`: the restore drill (lib/drills) and why it failed; null otherwise. */
  drill: z
    .object({
      id: z.string(),
      sourceRunId: z.string().nullable(),
      startedAt: z.string(),
      error: z.object({ code: z.string(), message: z.string() }),
      /** The chunk the failure is about, when it is about one. */
      chunk: z.object({ database: z.string(), table: z.string(), index: z.number().int(), file: z.string().nullable() }).nullable(),
    })
    .nullable()
    .default(null),
  /** For `copy-failed`: the storage target a copy of the run's backup failed on, and why; null otherwise. */
  copy: z
    .object({
      target: z.string(),
      location: z.string(),
      error: z.object({ code: z.string(), message: z.string() }),
    })
    .nullable()
    .default(null),
  /** One line in plain words, for chat hooks and the email subject. */
  summary: z.string(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;
export type DrillAlertPart = NonNullable<AlertEvent['drill']>;
export type CopyAlertPart = NonNullable<AlertEvent['copy']>;

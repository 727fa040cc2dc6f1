import { z } from 'zod';
import { RunKind, RunStatus } from '../generated/prisma/enums.ts';
import { getPrisma } from './prisma.ts';

/** What the dashboard shows of a run in lists: no options blob, counters as plain numbers. */
export const RunSummary = z.object({
  id: z.string(),
  kind: z.enum(RunKind),
  status: z.enum(RunStatus),
  outDir: z.string(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  rows: z.bigint().transform(Number),
  bytes: z.bigint().transform(Number),
  errorCode: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** The newest runs first. */
export async function listRecentRuns({ limit = 20 }: { limit?: number } = {}): Promise<RunSummary[]> {
  const runs = await getPrisma().run.findMany({
    orderBy: { startedAt: 'desc' },
    take: limit,
    select: {
      id: true,
      kind: true,
      status: true,
      outDir: true,
      startedAt: true,
      finishedAt: true,
      rows: true,
      bytes: true,
      errorCode: true,
    },
  });
  return z.array(RunSummary).parse(runs);
}

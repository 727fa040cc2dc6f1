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
  /** Copies to storage targets (lib/targets): `partial` when one failed (the run is partially failed). */
  copyState: z.string().nullable(),
  server: z.object({ id: z.string(), name: z.string() }).nullable(),
  databases: z.string().transform((text): string[] => {
    const parsed = z.array(z.string()).safeParse(JSON.parse(text || '[]'));
    return parsed.success ? parsed.data : [];
  }),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunFilter = z.object({
  status: z.enum(RunStatus).optional().catch(undefined),
  serverId: z.string().min(1).optional().catch(undefined),
});
export type RunFilter = z.infer<typeof RunFilter>;

/** The newest runs first, optionally only those of one status or one server. */
export async function listRecentRuns({ limit = 20, status, serverId }: { limit?: number } & RunFilter = {}): Promise<RunSummary[]> {
  const runs = await getPrisma().run.findMany({
    where: { ...(status ? { status } : {}), ...(serverId ? { serverId } : {}) },
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
      copyState: true,
      databases: true,
      server: { select: { id: true, name: true } },
    },
  });
  return z.array(RunSummary).parse(runs);
}

export const RunTotals = z.object({
  /** Finished dumps (succeeded or failed) and how many succeeded; cancelled and running runs are left out. */
  finishedDumps: z.number(),
  succeededDumps: z.number(),
  /** Size of the latest good dump of each server, added up. */
  protectedBytes: z.number(),
  lastGoodPerServer: z.array(z.object({ serverId: z.string(), serverName: z.string(), runId: z.string(), finishedAt: z.date(), bytes: z.number() })),
});
export type RunTotals = z.infer<typeof RunTotals>;

/** The overview's numbers: success rate, data protected, last good backup per server. */
export async function summarizeRuns(): Promise<RunTotals> {
  const prisma = getPrisma();
  const [finishedDumps, succeededDumps, servers] = await Promise.all([
    prisma.run.count({ where: { kind: 'dump', status: { in: ['succeeded', 'failed'] } } }),
    prisma.run.count({ where: { kind: 'dump', status: 'succeeded' } }),
    prisma.server.findMany({
      orderBy: { name: 'asc' },
      select: {
        id: true,
        name: true,
        runs: { where: { kind: 'dump', status: 'succeeded' }, orderBy: { finishedAt: 'desc' }, take: 1, select: { id: true, finishedAt: true, bytes: true } },
      },
    }),
  ]);
  const lastGoodPerServer = servers.flatMap((s) => {
    const run = s.runs[0];
    return run?.finishedAt ? [{ serverId: s.id, serverName: s.name, runId: run.id, finishedAt: run.finishedAt, bytes: Number(run.bytes) }] : [];
  });
  return RunTotals.parse({
    finishedDumps,
    succeededDumps,
    protectedBytes: lastGoodPerServer.reduce((a, r) => a + r.bytes, 0),
    lastGoodPerServer,
  });
}

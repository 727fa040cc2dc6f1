import { ParadumpError } from '../core/errors.ts';
import { readDumpRequest } from '../core/dump-request-file.ts';
import { readDumpState } from '../core/dump-state.ts';
import { getPrisma } from '../store/prisma.ts';
import { log } from './dump-deltas.ts';
import { launchDump } from './launch-dump.ts';
import { loadRunState } from './load-run-state.ts';
import type { LiveRun } from './registry.ts';
import { registerAttemptHandler, type Attempt, type AttemptContext } from './run-executor.ts';
import { StoredDumpOptions, type RunState } from './schemas.ts';
import { serverAddress } from './servers.ts';

export interface ClaimedRun {
  /** The attempt now running (the run row's number: fencing for the store writes). */
  attempt: number;
  /** The status it was claimed from. */
  from: RunState['status'];
  outDir: string;
  serverId: string;
  options: string;
}

/**
 * Claims a run for a new attempt in one conditional update: `queued` (new or resumed) or
 * `interrupted` (handed back), and `running` only when taking over a stalled worker's job. Of two
 * claimers one wins; the other gets ALREADY_RUNNING. A taken-over attempt's chunks in flight are to do
 * again, and the log says which attempt stalled.
 */
export async function claimRun({ id, context }: { id: string; context: AttemptContext }): Promise<ClaimedRun> {
  const prisma = getPrisma();
  const run = await prisma.run.findUnique({ where: { id }, select: { status: true, attempt: true, outDir: true, serverId: true, options: true } });
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  const claimable: RunState['status'][] = ['queued', 'interrupted', ...(context.takeOver ? (['running'] as const) : [])];
  if (!claimable.includes(run.status)) throw new ParadumpError('ALREADY_RUNNING', `run ${id} is ${run.status}; it is not waiting to run`);
  if (!run.serverId) throw new ParadumpError('NOT_RESUMABLE', `run ${id} has no server any more`);
  const attempt = run.attempt + 1;
  const claimed = await prisma.run.updateMany({
    where: { id, status: run.status, attempt: run.attempt },
    data: { status: 'running', attempt, finishedAt: null, errorCode: null, errorMessage: null },
  });
  if (claimed.count !== 1) throw new ParadumpError('ALREADY_RUNNING', `run ${id} was claimed by another attempt`);
  if (run.status === 'running') {
    const now = new Date();
    await prisma.$transaction([
      prisma.runChunk.updateMany({ where: { table: { runId: id }, state: 'running' }, data: { state: 'pending', rows: 0n } }),
      prisma.runLog.create({ data: { runId: id, at: now, level: 'warning', code: 'STALLED', message: `Attempt ${run.attempt} stalled (its worker stopped without handing the job back); attempt ${attempt}${context.worker ? ` on ${context.worker}` : ''} resumes it` } }),
    ]);
  }
  return { attempt, from: run.status, outDir: run.outDir, serverId: run.serverId, options: run.options };
}

/**
 * Stops a live run, in this process or on a worker (asked through the queue): its log says so first,
 * then the engine stops its workers and the run ends `cancelled` with its finished chunks kept.
 */
export function cancelLiveRun(live: LiveRun): void {
  live.publish(log(new Date().toISOString(), 'info', null, 'Cancel requested: stopping the workers; finished chunks are kept'));
  live.controller.abort();
}

export function attemptOf(live: LiveRun): Attempt {
  return {
    live,
    finished: live.finished,
    handBack: () => live.handBack(),
    get handedBack() {
      return live.handedBack;
    },
    cancel: () => cancelLiveRun(live),
  };
}

/**
 * One attempt of a dump run: claimed, then the engine — from the start on its first attempt, with the
 * engine's resume (verified chunks kept) after, when the earlier attempt had begun writing.
 */
export async function startDumpAttempt({ id }: { id: string }, context: AttemptContext): Promise<Attempt> {
  const claimed = await claimRun({ id, context });
  const { uri, address } = await serverAddress({ id: claimed.serverId });
  const options = StoredDumpOptions.parse(JSON.parse(claimed.options));
  const state = await loadRunState({ id });
  const again = claimed.attempt > 1;
  // Stopped before the engine saved the request (the store saved it first): nothing was dumped, and
  // the store says what was asked, so it starts from the beginning; otherwise the engine's resume.
  const begun = again && ((await readDumpRequest(claimed.outDir).catch(() => 'damaged')) !== null || (await readDumpState(claimed.outDir).catch(() => 'damaged')) !== null);
  const live = launchDump({ state, uri, tls: address.tls, options, resume: begun, knownTables: state.tables.map((t) => `${t.database}\u0000${t.table}`) });
  const where = context.worker ? ` on ${context.worker}` : '';
  if (again) {
    live.publish(log(new Date().toISOString(), 'info', null, begun ? `Resumed (attempt ${claimed.attempt}${where}): chunks already written are verified and kept` : `Resumed (attempt ${claimed.attempt}${where}): it had stopped before it began, so it starts from the beginning`));
  } else if (context.worker) {
    live.publish(log(new Date().toISOString(), 'info', null, `Started${where}`));
  }
  return attemptOf(live);
}

registerAttemptHandler('dump', startDumpAttempt);

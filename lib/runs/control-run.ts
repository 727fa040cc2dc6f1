import { existsSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { getPrisma } from '../store/prisma.ts';
import { cancelLiveRun } from './run-attempt.ts';
import { runExecutor } from './run-executor.ts';
import { getLiveRun } from './registry.ts';
import { PitrView } from './schemas.ts';
import './start-restore.ts';
import { canResume } from './can-resume.ts';
import { ParadumpError } from '../core/errors.ts';

/**
 * Asks a running run to stop. Its status becomes `cancelled` once the engine has stopped its workers.
 * A run on a worker machine is asked through the queue (a queued one is cancelled before it starts).
 */
export function cancelRun({ id, kind = 'dump' }: { id: string; kind?: 'dump' | 'restore' }): void {
  const live = getLiveRun(id);
  if (!live || live.ended) {
    const executor = runExecutor();
    if (executor.mode !== 'queue') throw new ParadumpError('NOT_RUNNING', `run ${id} is not running`);
    void executor.requestCancel({ kind, id }).catch((error: unknown) => console.error(`paradump: cancelling run ${id} through the queue failed`, error));
    return;
  }
  cancelLiveRun(live);
}

/**
 * Continues a stopped run with the engine's resume: a dump keeps its verified chunks and dumps the
 * rest; a restore keeps the chunks its journal has and loads the rest (lib/runs/start-restore.ts).
 */
export async function resumeRun({ id }: { id: string }): Promise<void> {
  if (getLiveRun(id)) throw new ParadumpError('ALREADY_RUNNING', `run ${id} is running`);
  const prisma = getPrisma();
  const run = await prisma.run.findUnique({ where: { id }, select: { kind: true, status: true, outDir: true, serverId: true, options: true, attempt: true, errorCode: true, pitr: true } });
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  const hasManifest = run.kind === 'dump' && existsSync(path.join(run.outDir, MANIFEST_FILE));
  const pitr = run.pitr ? PitrView.safeParse(JSON.parse(run.pitr)) : null;
  const error = run.errorCode ? { code: run.errorCode } : null;
  if (!canResume({ ...run, hasManifest, error, pitr: pitr?.success ? pitr.data : null }) || !run.serverId) {
    throw new ParadumpError('NOT_RESUMABLE', `run ${id} is ${run.status}${hasManifest ? ' and complete' : ''}; it cannot be resumed`);
  }
  // Back to the queue in one statement, so two clicks cannot submit it twice; the attempt claims it.
  const queued = await prisma.run.updateMany({ where: { id, status: run.status, attempt: run.attempt }, data: { status: 'queued', finishedAt: null } });
  if (queued.count !== 1) throw new ParadumpError('ALREADY_RUNNING', `run ${id} was resumed already`);
  await runExecutor()
    .submit({ kind: run.kind === 'restore' ? 'restore' : 'dump', id, serverId: run.serverId, attempt: run.attempt })
    .catch(async (error: unknown) => {
      // Not started after all (server deleted, queue down): as it was, to be resumed later.
      await prisma.run.updateMany({ where: { id, status: 'queued', attempt: run.attempt }, data: { status: run.status } });
      throw error;
    });
}

/**
 * At start-up: runs the previous process left `running` or `queued` are `interrupted` now (their
 * engine died with it), and chunks it was writing are to do again.
 */
export async function markInterruptedRuns(): Promise<string[]> {
  // With workers, a run outlives the dashboard's process: the queue knows whether it stalled.
  if (runExecutor().mode === 'queue') return [];
  const prisma = getPrisma();
  const stale = await prisma.run.findMany({ where: { status: { in: ['running', 'queued'] } }, select: { id: true } });
  const now = new Date();
  for (const { id } of stale) {
    if (getLiveRun(id)) continue;
    await prisma.$transaction([
      prisma.run.update({ where: { id }, data: { status: 'interrupted', finishedAt: now, errorCode: 'INTERRUPTED', errorMessage: 'the dashboard stopped while this run was in progress' } }),
      prisma.runChunk.updateMany({ where: { table: { runId: id }, state: 'running' }, data: { state: 'pending', rows: 0n } }),
      prisma.runLog.create({ data: { runId: id, at: now, level: 'warning', code: 'INTERRUPTED', message: 'The dashboard stopped while this run was in progress; Resume continues it' } }),
    ]);
  }
  return stale.map((r) => r.id);
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { getPrisma } from '../store/prisma.ts';
import { log } from './dump-deltas.ts';
import { launchDump } from './launch-dump.ts';
import { loadRunState } from './load-run-state.ts';
import { getLiveRun } from './registry.ts';
import { PitrView, StoredDumpOptions } from './schemas.ts';
import { resumeRestore } from './start-restore.ts';
import { canResume } from './can-resume.ts';
import { serverAddress } from './servers.ts';
import { ParadumpError } from '../core/errors.ts';
import { readDumpRequest } from '../core/dump-request-file.ts';
import { readDumpState } from '../core/dump-state.ts';

/** Asks a running run to stop. Its status becomes `cancelled` once the engine has stopped its workers. */
export function cancelRun({ id }: { id: string }): void {
  const live = getLiveRun(id);
  if (!live || live.ended) throw new ParadumpError('NOT_RUNNING', `run ${id} is not running`);
  live.publish(log(new Date().toISOString(), 'info', null, 'Cancel requested: stopping the workers; finished chunks are kept'));
  live.controller.abort();
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
  if (run.kind === 'restore') return resumeRestore({ id, status: run.status, attempt: run.attempt });
  const { uri, address } = await serverAddress({ id: run.serverId });
  const options = StoredDumpOptions.parse(JSON.parse(run.options));
  const attempt = run.attempt + 1;
  // Claim the run in one statement, so two clicks cannot start two engines on one directory.
  const claimed = await prisma.run.updateMany({
    where: { id, status: run.status, attempt: run.attempt },
    data: { status: 'running', attempt, finishedAt: null, errorCode: null, errorMessage: null },
  });
  if (claimed.count !== 1) throw new ParadumpError('ALREADY_RUNNING', `run ${id} was resumed already`);
  const state = await loadRunState({ id });
  // Stopped before the engine saved the request (the store saved it first): nothing was dumped, and
  // the store says what was asked, so it starts from the beginning; otherwise the engine's resume.
  const begun = (await readDumpRequest(run.outDir).catch(() => 'damaged')) !== null || (await readDumpState(run.outDir).catch(() => 'damaged')) !== null;
  const live = launchDump({ state, uri, tls: address.tls, options, resume: begun, knownTables: state.tables.map((t) => `${t.database}\u0000${t.table}`) });
  live.publish(log(new Date().toISOString(), 'info', null, begun ? `Resumed (attempt ${attempt}): chunks already written are verified and kept` : `Resumed (attempt ${attempt}): it had stopped before it began, so it starts from the beginning`));
}

/**
 * At start-up: runs the previous process left `running` or `queued` are `interrupted` now (their
 * engine died with it), and chunks it was writing are to do again.
 */
export async function markInterruptedRuns(): Promise<string[]> {
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

import { stat } from 'node:fs/promises';
import { confineDumpDir } from '../runs/dump-root.ts';
import { liveRunIds } from '../runs/registry.ts';
import { getPrisma } from '../store/prisma.ts';
import { isRemoteLocation } from '../storage/location.ts';
import { openTarget } from '../storage/open-target.ts';
import { deleteRunCopies } from '../targets/copy-run.ts';
import { writePlanLog } from './plan-log.ts';
import { getPlanView } from './plan-store.ts';
import { selectRetention, type KeepReason, type RetentionCandidate } from './select-retention.ts';

export interface RetentionReport {
  kept: { id: string; reasons: KeepReason[] }[];
  deleted: string[];
  failed: { id: string; message: string }[];
  /** Half-deleted backups of earlier passes finished now. */
  finished: string[];
}

/** Backups a running restore (or drill) is reading: never deleted while it reads. */
async function backupsInUse(ids: string[]): Promise<Set<string>> {
  const live = new Set(liveRunIds());
  const prisma = getPrisma();
  const readers = await prisma.run.findMany({ where: { sourceRunId: { in: ids }, kind: { in: ['restore', 'pitr'] }, status: { in: ['running', 'queued'] } }, select: { sourceRunId: true } });
  // A restore drill (lib/drills) records the backup it reads from before it opens it.
  const drills = await prisma.drill.findMany({ where: { sourceRunId: { in: ids }, status: 'running' }, select: { sourceRunId: true } });
  const inUse = new Set([...readers, ...drills].map((r) => r.sourceRunId!));
  for (const id of ids) if (live.has(id)) inUse.add(id);
  return inUse;
}

/** The candidates as the pure selection sees them: the plan's dumps not deleted yet. */
export async function retentionCandidates({ planId }: { planId: string }): Promise<(RetentionCandidate & { outDir: string; bytes: number })[]> {
  const runs = await getPrisma().run.findMany({ where: { planId, kind: 'dump', deleteState: null }, select: { id: true, status: true, startedAt: true, finishedAt: true, outDir: true, bytes: true } });
  const inUse = await backupsInUse(runs.map((r) => r.id));
  return runs.map((r) => ({ id: r.id, at: r.finishedAt ?? r.startedAt, good: r.status === 'succeeded', inUse: inUse.has(r.id), outDir: r.outDir, bytes: Number(r.bytes) }));
}

/**
 * Deletes one backup: marks it `deleting` first, so a crash between the two steps leaves a record
 * the next pass finds and finishes; then deletes its files through its storage target (a folder
 * only inside the dump root; for `s3://bucket/prefix`, its objects and unfinished uploads, reached
 * with the `AWS_*` environment) and its copies' through their saved targets, then marks it `deleted`. Its record stays, marked, for the history.
 */
async function deleteBackup({ id, outDir }: { id: string; outDir: string }, { recheckInUse }: { recheckInUse: boolean }): Promise<'deleted' | 'in-use'> {
  const prisma = getPrisma();
  await prisma.run.update({ where: { id }, data: { deleteState: 'deleting' } });
  // A restore or drill that began reading since the candidates were listed keeps it: asked again
  // after the mark, so a reader is either seen here or finds the backup marked. (A half-deleted
  // backup is finished regardless: its files are no longer whole.)
  if (recheckInUse && (await backupsInUse([id])).has(id)) {
    await prisma.run.update({ where: { id }, data: { deleteState: null } });
    return 'in-use';
  }
  const location = isRemoteLocation(outDir) ? outDir : await confineDumpDir({ requested: outDir });
  await openTarget(location).deleteAll();
  // Its copies too, each through its own target; one that fails leaves the backup `deleting`, and
  // the next pass finishes it.
  await deleteRunCopies({ runId: id });
  await prisma.run.update({ where: { id }, data: { deleteState: 'deleted', deletedAt: new Date() } });
  return 'deleted';
}

/** Whether the backup is still where its record says: the folder for a local one, the manifest in the bucket. */
async function stillStored(outDir: string): Promise<boolean> {
  if (isRemoteLocation(outDir)) return openTarget(outDir).holdsBackup();
  try {
    return (await stat(outDir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Good backups that are no longer where the record says (removed by hand, a wiped or unmounted
 * disk, an emptied bucket): not counted as good, so the newest backup that is really there stays the
 * newest good one and older ones are not deleted in its name. `failed` when one cannot be checked.
 */
async function goneFromStorage(candidates: { id: string; good: boolean; outDir: string }[]): Promise<{ gone: Set<string> } | { failed: { id: string; message: string } }> {
  const gone = new Set<string>();
  for (const c of candidates.filter((x) => x.good)) {
    try {
      if (!(await stillStored(c.outDir))) gone.add(c.id);
    } catch (error) {
      return { failed: { id: c.id, message: (error as Error).message } };
    }
  }
  return { gone };
}

/** Finishes deletions an earlier pass (or a crash) left half done. */
export async function finishHalfDeleted({ planId }: { planId?: string } = {}): Promise<string[]> {
  const prisma = getPrisma();
  const half = await prisma.run.findMany({ where: { deleteState: 'deleting', ...(planId ? { planId } : {}) }, select: { id: true, outDir: true, planId: true } });
  const done: string[] = [];
  for (const run of half) {
    try {
      await deleteBackup(run, { recheckInUse: false });
      done.push(run.id);
      if (run.planId) await writePlanLog({ planId: run.planId, runId: run.id, kind: 'retention', level: 'info', message: `Finished deleting backup ${run.id} (${run.outDir}), left half-deleted by an earlier pass` });
    } catch (error) {
      if (run.planId) await writePlanLog({ planId: run.planId, runId: run.id, kind: 'retention', level: 'error', code: 'RETENTION_DELETE_FAILED', message: `Could not finish deleting ${run.outDir}: ${(error as Error).message}` });
    }
  }
  return done;
}

/**
 * Applies the plan's retention after `runId` succeeded. Does nothing (and says so) when that run did
 * not succeed: a failed night never costs an older good backup. Each deletion goes to the plan log.
 */
export async function applyRetention({ planId, runId }: { planId: string; runId: string }): Promise<RetentionReport | null> {
  const run = await getPrisma().run.findUnique({ where: { id: runId }, select: { status: true } });
  if (run?.status !== 'succeeded') {
    await writePlanLog({ planId, runId, kind: 'retention', level: 'info', message: 'Retention not applied: the run did not succeed, nothing was deleted' });
    return null;
  }
  const plan = await getPlanView({ id: planId });
  const finished = await finishHalfDeleted({ planId });
  const listed = await retentionCandidates({ planId });
  const checked = await goneFromStorage(listed);
  if ('failed' in checked) {
    await writePlanLog({ planId, runId, kind: 'retention', level: 'error', code: 'RETENTION_DELETE_FAILED', message: `Retention not applied: could not check that backup ${checked.failed.id} is still stored (${checked.failed.message}); nothing was deleted` });
    return null;
  }
  for (const id of checked.gone) {
    const c = listed.find((x) => x.id === id)!;
    await writePlanLog({ planId, runId, kind: 'retention', level: 'warning', code: 'NO_MANIFEST', message: `Backup ${id} is recorded as good but ${c.outDir} is not there: retention does not count it as a good backup, nor delete its record` });
  }
  const candidates = listed.map((c) => (checked.gone.has(c.id) ? { ...c, good: false } : c));
  const outcome = selectRetention({ backups: candidates, policy: plan.retention, timeZone: plan.schedule.timeZone });
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const report: RetentionReport = { kept: [...outcome.keep].map(([id, reasons]) => ({ id, reasons })), deleted: [], failed: [], finished };
  for (const id of outcome.remove) {
    const backup = byId.get(id)!;
    try {
      if ((await deleteBackup(backup, { recheckInUse: true })) === 'in-use') {
        report.kept.push({ id, reasons: ['in-use'] });
        await writePlanLog({ planId, runId, kind: 'retention', level: 'info', message: `Kept backup ${id}: a restore or drill began reading it as retention was about to delete it` });
        continue;
      }
      report.deleted.push(id);
      await writePlanLog({ planId, runId, kind: 'retention', level: 'info', message: `Deleted backup ${id} from ${backup.at.toISOString()} (${backup.outDir}, ${backup.bytes} bytes): kept by no rule` });
    } catch (error) {
      report.failed.push({ id, message: (error as Error).message });
      await writePlanLog({ planId, runId, kind: 'retention', level: 'error', code: 'RETENTION_DELETE_FAILED', message: `Could not delete backup ${id} (${backup.outDir}): ${(error as Error).message}; the next pass finishes it` });
    }
  }
  await writePlanLog({ planId, runId, kind: 'retention', level: 'info', message: `Retention: kept ${report.kept.filter((k) => byId.get(k.id)?.good).length} good backup(s), deleted ${report.deleted.length}${report.failed.length ? `, ${report.failed.length} failed` : ''}` });
  return report;
}

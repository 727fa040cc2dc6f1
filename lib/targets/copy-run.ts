import path from 'node:path';
import { isParadumpError } from '../core/errors.ts';
import { confineDumpDir } from '../runs/dump-root.ts';
import { getPrisma } from '../store/prisma.ts';
import { isRemoteLocation } from '../storage/location.ts';
import { openTarget } from '../storage/open-target.ts';
import { copyBackup } from './copy-backup.ts';
// Restores from a verified copy find it through this (lib/runs/copy-source.ts).
import './copy-source.ts';
import { locationUnder, openSavedTarget } from './open-saved-target.ts';

export interface CopyOutcome {
  copyId: string;
  targetId: string;
  targetName: string;
  location: string;
  ok: boolean;
  bytes: number;
  error: { code: string; message: string } | null;
}

/** The folder (prefix) a run's copy gets under each target: the backup's own folder name. */
function copyFolderName({ id, outDir }: { id: string; outDir: string }): string {
  const name = isRemoteLocation(outDir) ? (outDir.replace(/\/+$/, '').split('/').pop() ?? '') : path.basename(outDir);
  return name && !name.startsWith('.') && !/^s3:$/i.test(name) ? name : id;
}

/**
 * Copies a succeeded dump run's backup to each of `targetIds` (one after the other), each copy
 * verified (lib/targets/copy-backup.ts), each recorded as a RunCopy. The run's copyState ends
 * `copied`, or `partial` when one or more failed: the run is then partially failed, its other
 * copies kept. Resolves with every outcome (a failure is an outcome, not a rejection).
 */
export async function copyRunToTargets({ runId, targetIds }: { runId: string; targetIds: readonly string[] }): Promise<CopyOutcome[]> {
  const prisma = getPrisma();
  const run = await prisma.run.findUnique({ where: { id: runId }, select: { id: true, kind: true, status: true, outDir: true } });
  if (!run || run.kind !== 'dump' || run.status !== 'succeeded' || targetIds.length === 0) return [];
  const targets = await prisma.storageTarget.findMany({ where: { id: { in: [...targetIds] } } });
  if (targets.length === 0) return [];
  const folder = copyFolderName(run);
  const copies = [];
  for (const target of targets) copies.push({ target, row: await prisma.runCopy.create({ data: { runId, targetId: target.id, targetName: target.name, location: locationUnder(target, folder) }, select: { id: true, location: true } }) });
  await prisma.run.update({ where: { id: runId }, data: { copyState: 'copying' } });
  // Opened inside each copy's try: a backup folder refused (moved out of the dump root) fails the copies, as outcomes.
  const source = async () => openTarget(isRemoteLocation(run.outDir) ? run.outDir : await confineDumpDir({ requested: run.outDir }));
  const outcomes: CopyOutcome[] = [];
  for (const { target, row } of copies) {
    const base = { copyId: row.id, targetId: target.id, targetName: target.name, location: row.location };
    await prisma.runCopy.update({ where: { id: row.id }, data: { status: 'copying', startedAt: new Date() } });
    try {
      const to = await openSavedTarget(target, row.location);
      const report = await copyBackup({ from: await source(), to, onWriting: async () => void (await prisma.runCopy.update({ where: { id: row.id }, data: { written: true } })) });
      await prisma.runCopy.update({ where: { id: row.id }, data: { status: 'verified', bytes: BigInt(report.bytes), verifiedAt: new Date() } });
      outcomes.push({ ...base, ok: true, bytes: report.bytes, error: null });
    } catch (error) {
      const code = isParadumpError(error) ? error.code : 'INTERNAL';
      const message = (error as Error).message ?? String(error);
      await prisma.runCopy.update({ where: { id: row.id }, data: { status: 'failed', errorCode: code, errorMessage: message.slice(0, 2000) } });
      outcomes.push({ ...base, ok: false, bytes: 0, error: { code, message } });
    }
  }
  await prisma.run.update({ where: { id: runId }, data: { copyState: outcomes.some((o) => !o.ok) ? 'partial' : 'copied' } });
  return outcomes;
}

/**
 * Retention: deletes the files of every copy of `runId` that wrote anything, through its target,
 * and marks it deleted. A copy whose target was deleted since is left (its files cannot be reached
 * with credentials the dashboard no longer has); resolves with how many copies were deleted.
 */
export async function deleteRunCopies({ runId }: { runId: string }): Promise<{ deleted: number; unreachable: string[] }> {
  const prisma = getPrisma();
  const copies = await prisma.runCopy.findMany({ where: { runId, written: true, deletedAt: null }, include: { target: true } });
  let deleted = 0;
  const unreachable: string[] = [];
  for (const copy of copies) {
    if (!copy.target) {
      unreachable.push(copy.location);
      continue;
    }
    await (await openSavedTarget(copy.target, copy.location)).deleteAll();
    await prisma.runCopy.update({ where: { id: copy.id }, data: { deletedAt: new Date() } });
    deleted++;
  }
  return { deleted, unreachable };
}

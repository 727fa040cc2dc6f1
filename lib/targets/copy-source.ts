import { badOption } from '../core/errors.ts';
import { registerCopySourceResolver, type CopySource } from '../runs/copy-source.ts';
import { getPrisma } from '../store/prisma.ts';
import { confineTargetDir, savedTargetSettings } from './open-saved-target.ts';

/**
 * A verified, not deleted copy of the run, and how to read it: a local target's folder (confined to
 * the allowed roots again), or the S3 prefix with the saved target's sealed credentials opened.
 */
export async function copySource({ runId, copyId }: { runId: string; copyId: string }): Promise<CopySource> {
  const copy = await getPrisma().runCopy.findUnique({ where: { id: copyId }, include: { target: true } });
  if (!copy || copy.runId !== runId || copy.status !== 'verified' || copy.deletedAt) throw badOption('sourceCopyId', 'Pick the backup itself or one of its verified copies');
  if (!copy.target) throw badOption('sourceCopyId', `The storage target "${copy.targetName}" is no longer saved: restore from the backup itself or another copy`);
  if (copy.target.kind === 'local') return { from: await confineTargetDir(copy.location), targetName: copy.targetName };
  return { from: copy.location, storage: await savedTargetSettings(copy.target), targetName: copy.targetName };
}

registerCopySourceResolver(copySource);

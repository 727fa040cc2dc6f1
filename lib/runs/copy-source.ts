import { ParadumpError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { readManifest } from '../restore/read-manifest.ts';
import { getPrisma } from '../store/prisma.ts';
import type { S3Settings } from '../storage/settings.ts';

/** Where a verified copy of a backup is read from: its location, and for S3 the saved target's settings (its secret opened). */
export interface CopySource {
  from: string;
  storage?: S3Settings;
  targetName: string;
}

export type CopySourceResolver = (input: { runId: string; copyId: string }) => Promise<CopySource>;

const globalForCopies = globalThis as typeof globalThis & { paradumpCopySource?: CopySourceResolver };

/**
 * Installed by lib/targets/copy-source.ts (loaded with the copies, by every process that runs plans
 * or restores): the saved targets' credentials are opened there only, a layer above the runs.
 */
export function registerCopySourceResolver(resolver: CopySourceResolver): void {
  globalForCopies.paradumpCopySource = resolver;
}

/** A verified copy of run `runId`, to restore from; BAD_OPTION at `sourceCopyId` when it is not one (any more). */
export async function resolveCopySource(input: { runId: string; copyId: string }): Promise<CopySource> {
  const resolver = globalForCopies.paradumpCopySource;
  if (!resolver) throw new ParadumpError('INTERNAL', 'restoring from a copy needs the storage targets (lib/targets/copy-source.ts is not loaded)');
  return resolver(input);
}

/**
 * The manifest of a verified copy, with the run's source server, for the restore page when the
 * backup's own folder is gone (or unreadable): a copy can still be restored from.
 */
export async function readCopyManifest({ runId, copyId }: { runId: string; copyId: string }): Promise<{ manifest: Manifest; outDir: string; serverId: string | null; serverName: string | null }> {
  const run = await getPrisma().run.findUnique({ where: { id: runId }, select: { outDir: true, server: { select: { id: true, name: true } } } });
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${runId}`);
  const copy = await resolveCopySource({ runId, copyId });
  const { manifest } = await readManifest(copy.from, copy.storage);
  return { manifest, outDir: run.outDir, serverId: run.server?.id ?? null, serverName: run.server?.name ?? null };
}

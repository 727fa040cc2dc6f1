import { access } from 'node:fs/promises';
import { badOption } from '../core/errors.ts';
import { getPrisma } from '../store/prisma.ts';

// Directories a start in this process is between its check and its run row: two clicks in the same
// second (or a click and a queued job) would otherwise both pass the check and share one directory,
// where the second dump's take-over of "ours, before the plan" files deletes the first's.
const globalForClaims = globalThis as typeof globalThis & { paradumpOutDirClaims?: Set<string> };
const claims = (globalForClaims.paradumpOutDirClaims ??= new Set());

async function heldByRun(outDir: string): Promise<boolean> {
  return (await getPrisma().run.count({ where: { outDir, status: { in: ['queued', 'running'] } } })) > 0;
}

async function exists(outDir: string): Promise<boolean> {
  return access(outDir).then(() => true, () => false);
}

/**
 * Claims a dump run's output directory until `release` (call it once the run row exists). One that
 * was asked for is refused at its field while another queued or running run writes to it; the
 * suggested default (named to the second) gets `-2`, `-3`, … when that name is taken.
 */
export async function claimOutDir({ outDir, suggested }: { outDir: string; suggested: boolean }): Promise<{ outDir: string; release: () => void }> {
  for (let n = 1; n <= 50; n++) {
    const candidate = n === 1 ? outDir : `${outDir}-${n}`;
    if (!claims.has(candidate)) {
      claims.add(candidate);
      const taken = (await heldByRun(candidate)) || (suggested && (await exists(candidate)));
      if (!taken) return { outDir: candidate, release: () => claims.delete(candidate) };
      claims.delete(candidate);
    }
    if (!suggested) break;
  }
  throw badOption('outDir', `another backup that is queued or running writes to ${outDir}; choose another directory`);
}

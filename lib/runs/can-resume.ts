import type { RunStatus } from './schemas.ts';

/** Statuses a run can be resumed from: a dump's directory has finished chunks and no manifest, a restore's journal has its loaded chunks. */
export const RESUMABLE: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];

/**
 * Whether the run page should offer Resume. Pure, for the server and the browser alike. A restore
 * whose verification failed would fail again, and one whose roll forward began has events applied to
 * the target that a second replay would apply twice: those are restored again instead.
 */
export function canResume(run: { kind: string; status: RunStatus; hasManifest: boolean; error?: { code: string } | null; pitr?: { replayStarted: boolean } | null }): boolean {
  if (!RESUMABLE.includes(run.status)) return false;
  if (run.kind === 'dump') return !run.hasManifest;
  if (run.kind === 'restore') return run.error?.code !== 'VERIFY_MISMATCH' && !run.pitr?.replayStarted;
  return false;
}

/** Why a stopped restore cannot be resumed, in words for the run page; null when it can be (or is not stopped). */
export function whyNotResumable(run: { kind: string; status: RunStatus; error?: { code: string } | null; pitr?: { replayStarted: boolean } | null }): string | null {
  if (run.kind !== 'restore' || !RESUMABLE.includes(run.status)) return null;
  if (run.pitr?.replayStarted) return 'The roll forward had begun, so the target holds part of the replayed events: restore again (with “Replace existing tables”) to roll forward from the start.';
  if (run.error?.code === 'VERIFY_MISMATCH') return 'The load finished but its rows differ from the backup: restore the differing tables again.';
  return null;
}

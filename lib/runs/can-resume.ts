import type { RunStatus } from './schemas.ts';

/** Statuses a run can be resumed from: a dump's directory has finished chunks and no manifest, a restore's journal has its loaded chunks. */
export const RESUMABLE: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];

/**
 * Whether the run page should offer Resume. Pure, for the server and the browser alike. A restore
 * whose verification failed would fail again. One whose roll forward began is resumed from where the
 * target records the replay stopped (paradump_recovery.pitr_progress, updated inside each replayed
 * transaction), so nothing is applied twice.
 */
export function canResume(run: { kind: string; status: RunStatus; hasManifest: boolean; error?: { code: string } | null; pitr?: { replayStarted: boolean } | null }): boolean {
  if (!RESUMABLE.includes(run.status)) return false;
  if (run.kind === 'dump') return !run.hasManifest;
  if (run.kind === 'restore') return run.error?.code !== 'VERIFY_MISMATCH' && run.error?.code !== 'ALREADY_REPLAYED';
  return false;
}

/** Why a stopped restore cannot be resumed, in words for the run page; null when it can be (or is not stopped). */
export function whyNotResumable(run: { kind: string; status: RunStatus; error?: { code: string } | null; pitr?: { replayStarted: boolean } | null }): string | null {
  if (run.kind !== 'restore' || !RESUMABLE.includes(run.status)) return null;
  if (run.error?.code === 'VERIFY_MISMATCH') return 'The load finished but its rows differ from the backup: restore the differing tables again.';
  if (run.error?.code === 'ALREADY_REPLAYED') return 'These databases had been rolled forward by an earlier restore: restore again (with “Replace existing tables”) to start over.';
  return null;
}

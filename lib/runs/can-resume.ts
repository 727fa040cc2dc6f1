import type { RunStatus } from './schemas.ts';

/** Statuses a dump can be resumed from: its directory has finished chunks and no manifest. */
export const RESUMABLE: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];

/** Whether the run page should offer Resume. Pure, for the server and the browser alike. */
export function canResume(run: { kind: string; status: RunStatus; hasManifest: boolean }): boolean {
  return run.kind === 'dump' && RESUMABLE.includes(run.status) && !run.hasManifest;
}

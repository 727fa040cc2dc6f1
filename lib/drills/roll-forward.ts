import { ParadumpError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { pitr } from '../restore/pitr.ts';
import { pitrAvailability } from '../runs/pitr-target.ts';
import { serverAddress } from '../runs/servers.ts';
import type { RollForward } from './drill-store.ts';
import type { OpenTarget } from './drill-target.ts';

/** The drill's stop point: its start, to the whole second (binlog timestamps have one-second resolution). */
export function rollForwardUntil(startedAt: Date): string {
  return new Date(Math.floor(startedAt.getTime() / 1000) * 1000).toISOString();
}

/**
 * The binary log is replayed a whole database at a time (lib/restore pitr): a backup of some tables
 * of a database would meet the others' changes in the replay, with no table to apply them to.
 */
export function partialBackupProblem(options: { tables: string[]; excludeTables: string[] }): string | null {
  if (options.tables.length === 0 && options.excludeTables.length === 0) return null;
  return 'the roll forward replays whole databases, and this plan backs up only some tables of its databases (tables or excluded tables): back up whole databases to roll forward';
}

/**
 * Refuses, before anything is created, a roll forward the backup cannot have: no binlog coordinates
 * (`--lock none`, binlog off, a resumed dump) or a source server no longer saved.
 */
export function refuseRollForward({ manifest, sourceServerId }: { manifest: Manifest; sourceServerId: string | null }): void {
  const partial = partialBackupProblem(manifest.options);
  if (partial) throw new ParadumpError('BAD_OPTION', `rollForward: ${partial}`, { details: { path: 'rollForward' } });
  const availability = pitrAvailability({ manifest, sourceServer: sourceServerId ? { name: sourceServerId } : null });
  if (availability.available) return;
  throw new ParadumpError(sourceServerId ? 'NO_COORDINATES' : 'SERVER_NOT_FOUND', `the drill cannot roll forward: ${availability.reason}`, { details: { path: 'rollForward' } });
}

/**
 * Replays the source's binary log into the drill's verified copy, from the backup's snapshot up to
 * the drill's start, with the drill's renames (lib/restore pitr: one timeline, each transaction whole).
 * Into a throwaway server the replay stays out of its binary log; into a scratch server the engine's
 * `auto` applies (not into the source's own binary log when the scratch server is the source).
 */
export async function rollForwardDrill({ from, sourceServerId, target, rename, startedAt, signal }: { from: string; sourceServerId: string; target: OpenTarget; rename: Record<string, string>; startedAt: Date; signal?: AbortSignal }): Promise<RollForward> {
  const source = await serverAddress({ id: sourceServerId });
  const until = rollForwardUntil(startedAt);
  const result = await pitr(
    { from, source: source.uri, sourceTls: source.address.tls, target: target.uri, targetTls: target.tls, until, rename, binlog: target.record.kind === 'throwaway' ? 'off' : 'auto' },
    { signal },
  );
  const last = result.reached ? { file: result.reached.file, position: result.reached.position, gtid: result.reached.gtid, at: result.reached.loggedAt ?? null } : null;
  return { until, transactions: result.transactions, durationMs: result.durationMs, last };
}

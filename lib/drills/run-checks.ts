import { Session } from '../mysql/session.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import type { ServerAddress } from '../mysql/uri.ts';
import { compareResult } from './compare-result.ts';
import type { DrillCheck } from './drill-schema.ts';
import type { CheckResult } from './drill-store.ts';

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/**
 * Runs the drill's own checks on the restored copy, one connection each, in a read-only
 * transaction with the check's (renamed) database as the default, rolled back after. A check that
 * fails or errors does not stop the others: the drill reports every one.
 */
export async function runChecks({ address, checks, rename, defaultDatabase, signal }: { address: ServerAddress; checks: DrillCheck[]; rename: Record<string, string>; defaultDatabase: string; signal?: AbortSignal }): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    signal?.throwIfAborted();
    const tick = performance.now();
    const base = { name: check.name || check.sql, sql: check.sql, compare: check.compare, expected: check.expected };
    const source = check.database || defaultDatabase;
    const database = rename[source];
    if (!database) {
      results.push({ ...base, actual: null, ok: false, error: `database ${source} is not in the backup`, durationMs: 0 });
      continue;
    }
    let session: Session | null = null;
    const abort = () => session?.destroy();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      session = await Session.open(address, { label: 'connecting to the drill target for a check', database });
      await session.exec('START TRANSACTION READ ONLY');
      const rows = await session.query<Record<string, unknown>>(check.sql);
      await session.exec('ROLLBACK');
      const first = rows[0];
      const actual = first ? asText(Object.values(first)[0]) : null;
      const outcome = compareResult({ actual, compare: check.compare, expected: check.expected });
      results.push({ ...base, actual, ok: outcome.ok, error: outcome.why, durationMs: Math.round(performance.now() - tick) });
    } catch (error) {
      signal?.throwIfAborted();
      results.push({ ...base, actual: null, ok: false, error: fromDriverError(error, 'running the check').message, durationMs: Math.round(performance.now() - tick) });
    } finally {
      signal?.removeEventListener('abort', abort);
      await session?.close().catch(() => session?.destroy());
    }
  }
  return results;
}

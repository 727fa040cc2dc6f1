import type { LockStatements } from '../mysql/flavor.ts';
import type { Session } from '../mysql/session.ts';
import { driverErrno, ER, fromDriverError } from '../mysql/driver-error.ts';
import { ParadumpError } from '../core/errors.ts';
import type { LockLedger } from './lock-ledger.ts';
import type { LockRecord } from '../core/manifest.ts';

export interface Blocker {
  id: number;
  user: string;
  time: number;
  state: string | null;
  info: string | null;
}

export interface HeldLock {
  record: LockRecord;
  release(): Promise<void>;
}

const IDLE_COMMANDS = new Set(['Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Killed', 'Connect']);

/** Running statements other than ours, longest first: the candidates for what holds a lock up. */
export async function listBlockers(guard: Session, ownIds: ReadonlySet<number>): Promise<Blocker[]> {
  const rows = await guard.query<{ id: number | string; user: string; command: string; time: number | string; state: string | null; info: string | null }>(guard.sql.processlist);
  return rows
    .filter((r) => !ownIds.has(Number(r.id)) && !IDLE_COMMANDS.has(r.command) && r.user !== 'system user' && r.info !== null)
    .map((r) => ({ id: Number(r.id), user: r.user, time: Number(r.time), state: r.state, info: r.info }))
    .sort((a, b) => b.time - a.time);
}

export function describeBlockers(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'no other running statement was found (the blocker may have just finished)';
  return blockers
    .slice(0, 5)
    .map((b) => `#${b.id} ${b.user} running ${b.time}s${b.state ? ` (${b.state})` : ''}: ${(b.info ?? '').replace(/\s+/g, ' ').slice(0, 160)}`)
    .join('; ');
}

/**
 * Takes a lock with a deadline. The server's lock_wait_timeout ends the wait; a watchdog on the
 * guard connection kills the request if the server does not, so a lock request never stays queued
 * with every writer waiting behind it. On timeout the error names the statements in the way; with
 * `killLongQueriesAfter` set, those running at least that many seconds are killed and the lock is
 * tried once more.
 */
export async function acquireLock(options: {
  session: Session;
  guard: Session;
  ownIds: ReadonlySet<number>;
  ledger: LockLedger;
  scope: LockRecord['scope'];
  target: string | null;
  statements: LockStatements;
  timeoutSeconds: number;
  killLongQueriesAfter?: number | undefined;
  onKilled?: (blocker: Blocker) => void;
}): Promise<HeldLock> {
  const { session, guard, statements } = options;
  await session.exec(session.sql.lockWaitTimeout(options.timeoutSeconds));
  const handle = options.ledger.request(options.scope, options.target, statements.acquire.join('; '), statements.blocks);
  let attempt = 0;
  for (;;) {
    let ran = 0;
    const watchdog = setTimeout(() => {
      guard.exec(guard.sql.killQuery(session.threadId)).catch(() => undefined);
    }, options.timeoutSeconds * 1000 + 2000);
    try {
      for (const statement of statements.acquire) {
        await session.exec(statement);
        ran++;
      }
      clearTimeout(watchdog);
      handle.acquired();
      let released = false;
      return {
        record: handle.record,
        release: async () => {
          if (released) return;
          released = true;
          try {
            for (const statement of statements.release) await session.exec(statement);
          } finally {
            handle.released();
          }
        },
      };
    } catch (error) {
      clearTimeout(watchdog);
      // Undo what did go through (e.g. BACKUP STAGE START before BLOCK_COMMIT timed out).
      if (ran > 0) for (const statement of statements.release) await session.exec(statement).catch(() => undefined);
      const errno = driverErrno(error);
      if (errno !== ER.LOCK_WAIT_TIMEOUT && errno !== ER.QUERY_INTERRUPTED) {
        handle.released();
        throw fromDriverError(error, `taking the ${options.scope} lock (${statements.acquire.join('; ')})`);
      }
      const blockers = await listBlockers(guard, options.ownIds).catch(() => []);
      const killable = options.killLongQueriesAfter === undefined ? [] : blockers.filter((b) => b.time >= options.killLongQueriesAfter!);
      if (attempt === 0 && killable.length > 0) {
        for (const b of killable) {
          await guard.exec(guard.sql.killQuery(b.id)).catch(() => undefined);
          options.onKilled?.(b);
        }
        attempt++;
        continue;
      }
      handle.released();
      throw new ParadumpError(
        'LOCK_TIMEOUT',
        `gave up on the ${options.scope} lock after ${options.timeoutSeconds}s (${statements.acquire.join('; ')}); the server was left unblocked. In the way: ${describeBlockers(blockers)}`,
        { cause: error, details: { blockers } },
      );
    }
  }
}

import type { Session } from '../mysql/session.ts';
import { normalizeGtid } from '../mysql/flavor.ts';
import { driverErrno, ER, fromDriverError, ParadumpError } from './errors.ts';
import type { LockLedger } from './lock-ledger.ts';

export interface SnapshotPoint {
  binlog: { file: string; position: number } | null;
  gtid: string | null;
}

/**
 * Opens one consistent snapshot across all worker connections: block commits instance-wide, start a
 * consistent-snapshot transaction on every worker, read the binlog coordinates, run `whileLocked`
 * (non-transactional tables, which only the lock keeps still), unblock. Commits wait only for that.
 * If the lock cannot be had within `lockWaitTimeout`, gives up and leaves the server unblocked.
 */
export async function openConsistentSnapshots(options: {
  control: Session;
  workers: readonly Session[];
  ledger: LockLedger;
  lockWaitTimeout: number;
  whileLocked?: () => Promise<void>;
}): Promise<SnapshotPoint> {
  const { control, workers, ledger } = options;
  const block = control.sql.commitBlock;
  await control.exec(control.sql.lockWaitTimeout(options.lockWaitTimeout));
  const lock = ledger.request('instance', null, block.acquire.join('; '), block.blocks);
  let held = false;
  try {
    try {
      for (const statement of block.acquire) {
        await control.exec(statement);
        held = true;
      }
    } catch (error) {
      const errno = driverErrno(error);
      if (errno === ER.LOCK_WAIT_TIMEOUT) {
        throw new ParadumpError('LOCK_TIMEOUT', `could not take the instance lock within ${options.lockWaitTimeout}s (${block.acquire.join('; ')}): long-running statements are in the way`, { cause: error });
      }
      throw fromDriverError(error, `taking the instance lock (${block.acquire.join('; ')})`);
    }
    lock.acquired();
    await Promise.all(workers.map((w) => w.exec(w.sql.startSnapshot)));
    const point = await readCoordinates(control);
    if (options.whileLocked) await options.whileLocked();
    return point;
  } finally {
    if (held || lock.record.acquiredAt !== null) {
      for (const statement of block.release) {
        await control.exec(statement).catch(() => control.destroy());
      }
    }
    lock.released();
  }
}

export async function readCoordinates(session: Session): Promise<SnapshotPoint> {
  try {
    const [status] = await session.query<Record<string, unknown>>(session.sql.binlogStatus);
    const binlog =
      status && typeof status['File'] === 'string' && status['File'] !== '' ? { file: status['File'], position: Number(status['Position']) } : null;
    let gtid = normalizeGtid(status?.['Executed_Gtid_Set']);
    if (gtid === null && session.sql.gtidPosition) {
      const [row] = await session.query<{ gtid: string | null }>(session.sql.gtidPosition);
      gtid = normalizeGtid(row?.gtid);
    }
    return { binlog, gtid };
  } catch (error) {
    throw fromDriverError(error, `reading binlog coordinates (${session.sql.binlogStatus})`);
  }
}

import type { Session } from '../mysql/session.ts';
import { normalizeGtid } from '../mysql/flavor.ts';
import { fromDriverError } from '../mysql/driver-error.ts';

export interface SnapshotPoint {
  binlog: { file: string; position: number } | null;
  gtid: string | null;
}

/** Binlog file, position and GTID set, read while commits are blocked: the snapshot's exact point. */
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

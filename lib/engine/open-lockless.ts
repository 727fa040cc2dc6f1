import type { SnapshotRecord } from '../core/manifest.ts';
import type { Session } from '../mysql/session.ts';
import { readCoordinates, type SnapshotPoint } from './read-coordinates.ts';

/** Openings tried before a lockless dump settles for snapshots a commit fell between. @default 5 */
export const LOCKLESS_ATTEMPTS = 5;

type Verdict = NonNullable<SnapshotRecord['verdict']>;

const where = (p: SnapshotPoint) => (p.binlog ? `${p.binlog.file}:${p.binlog.position}` : 'no binlog');
const same = (a: SnapshotPoint, b: SnapshotPoint) => a.binlog !== null && b.binlog !== null && a.binlog.file === b.binlog.file && a.binlog.position === b.binlog.position;

/** The binlog position a worker's snapshot sees (MariaDB), or null when the server does not say. */
async function snapshotPosition(worker: Session): Promise<SnapshotPoint['binlog']> {
  if (!worker.sql.snapshotPosition) return null;
  const rows = await worker.query<{ Variable_name: string; Value: string }>(worker.sql.snapshotPosition);
  const value = (name: string) => rows.find((r) => r.Variable_name.toLowerCase() === name)?.Value;
  const file = value('binlog_snapshot_file');
  return file ? { file, position: Number(value('binlog_snapshot_position')) } : null;
}

/**
 * Opens every worker's snapshot without a global lock and proves they are one point in time: on
 * MariaDB each snapshot reports the binlog position it sees (binlog_snapshot_position), and equal
 * positions mean no commit fell between them; elsewhere the binlog position is read before and
 * after the openings, and an unchanged position means the same (the approach of MySQL Shell's
 * dumper). A commit in between: the snapshots are closed and opened again, up to `attempts` times;
 * then the last are kept, with a verdict saying they are not consistent and why.
 */
export async function openLocklessSnapshots(args: { control: Session; workers: Session[]; attempts?: number; signal?: AbortSignal | undefined }): Promise<SnapshotPoint & { verdict: Verdict }> {
  const { control, workers } = args;
  const attempts = args.attempts ?? LOCKLESS_ATTEMPTS;
  let last = '';
  for (let attempt = 1; ; attempt++) {
    args.signal?.throwIfAborted();
    const before = await readCoordinates(control);
    await Promise.all(workers.map((w) => w.exec(w.sql.startSnapshot)));
    const seen = await Promise.all(workers.map(snapshotPosition));
    if (seen.every((p) => p !== null)) {
      const first = seen[0]!;
      const one = seen.every((p) => p!.file === first.file && p!.position === first.position);
      // The GTID read before the openings is the snapshots' only if no commit came in between.
      const point: SnapshotPoint = { binlog: first, gtid: same(before, { binlog: first, gtid: null }) ? before.gtid : null };
      if (one) return { ...point, verdict: { consistent: true, method: 'snapshot-position', attempts: attempt, reason: null } };
      last = `the workers' snapshots saw binlog positions from ${seen.map((p) => `${p!.file}:${p!.position}`).sort()[0]} to ${seen.map((p) => `${p!.file}:${p!.position}`).sort().at(-1)}`;
      if (attempt >= attempts) return { ...point, verdict: { consistent: false, method: 'snapshot-position', attempts: attempt, reason: `commits landed while the snapshots opened in each of ${attempt} attempts (last: ${last})` } };
    } else {
      const after = await readCoordinates(control);
      if (same(before, after)) return { ...before, verdict: { consistent: true, method: 'position-unchanged', attempts: attempt, reason: null } };
      last = before.binlog ? `the binlog moved from ${where(before)} to ${where(after)}` : 'the server has no binary log to compare';
      if (attempt >= attempts || !before.binlog) {
        return { binlog: null, gtid: null, verdict: { consistent: false, method: 'position-unchanged', attempts: attempt, reason: `${before.binlog ? `commits landed while the snapshots opened in each of ${attempt} attempts` : 'cannot prove the snapshots are one point in time'} (last: ${last})` } };
      }
    }
    await Promise.all(workers.map((w) => w.exec('COMMIT')));
  }
}

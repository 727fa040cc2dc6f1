import { describe, expect, it } from 'vitest';
import { flavorSql, parseServerVersion } from '../mysql/flavor.ts';
import type { Session } from '../mysql/session.ts';
import { openLocklessSnapshots } from './open-lockless.ts';

/** A MySQL 8.4 session answering the binlog status with the positions given, one per read. */
function mysqlSession(positions: number[], log: string[]): Session {
  const flavor = parseServerVersion('8.4.0');
  const session = {
    flavor,
    sql: flavorSql(flavor),
    exec: async (sql: string) => void log.push(sql),
    query: async (sql: string) => {
      log.push(sql);
      if (sql === 'SHOW BINARY LOG STATUS') return [{ File: 'binlog.000007', Position: positions.shift() ?? 0, Executed_Gtid_Set: 'uuid:1-5' }];
      return [];
    },
  };
  return session as unknown as Session;
}

describe('openLocklessSnapshots on MySQL (no binlog_snapshot_position)', () => {
  it('proves consistency by an unchanged binlog position around the openings', async () => {
    const log: string[] = [];
    const workers = [mysqlSession([], log), mysqlSession([], log)];
    const result = await openLocklessSnapshots({ control: mysqlSession([100, 100], log), workers });
    expect(result).toMatchObject({ binlog: { file: 'binlog.000007', position: 100 }, gtid: 'uuid:1-5', verdict: { consistent: true, method: 'position-unchanged', attempts: 1, reason: null } });
    expect(log.filter((s) => s === 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')).toHaveLength(2);
  });

  it('retries when the position moved, and gives up after the attempts with the reason', async () => {
    const log: string[] = [];
    const workers = [mysqlSession([], log)];
    const retried = await openLocklessSnapshots({ control: mysqlSession([100, 140, 140, 140], log), workers });
    expect(retried.verdict).toMatchObject({ consistent: true, attempts: 2 });
    expect(log).toContain('COMMIT');
    const failed = await openLocklessSnapshots({ control: mysqlSession([1, 2, 3, 4], log), workers, attempts: 2 });
    expect(failed).toMatchObject({ binlog: null, gtid: null, verdict: { consistent: false, method: 'position-unchanged', attempts: 2 } });
    expect(failed.verdict.reason).toBe('commits landed while the snapshots opened in each of 2 attempts (last: the binlog moved from binlog.000007:3 to binlog.000007:4)');
  });
});

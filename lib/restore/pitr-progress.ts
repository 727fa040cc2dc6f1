import { createHash } from 'node:crypto';
import { ParadumpError } from '../core/errors.ts';
import { driverErrno, ER, fromDriverError } from '../mysql/driver-error.ts';
import { quoteString, type Session } from '../mysql/session.ts';
import { compareBinlogPoints, type BinlogPoint } from './binlog-lines.ts';
import type { TimelinePoint } from './binlog-timeline.ts';

/**
 * How far a point-in-time recovery has rolled a set of target databases forward, kept in the target
 * itself: every replayed transaction updates its row inside the same transaction, so after a crash
 * or a kill -9 the row says exactly what was applied — no guessing, nothing twice.
 */
export const PROGRESS_TABLE = '`paradump_recovery`.`pitr_progress`';

export interface PitrProgress {
  replayKey: string;
  targetDatabases: string[];
  /** Which dump was rolled forward (its start time and source), so another dump's replay is not continued. */
  dump: string;
  file: string;
  position: number;
  gtid: string | null;
  transactions: number;
  state: 'running' | 'finished' | 'failed';
  stop: string;
  connectionId: number | null;
  updatedAt: string;
}

/** One row per set of target databases on a server. */
export function replayKey(targetDatabases: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([...targetDatabases].sort())).digest('hex');
}

const DDL = [
  'CREATE DATABASE IF NOT EXISTS `paradump_recovery`',
  `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
    replay_key CHAR(64) NOT NULL PRIMARY KEY,
    target_databases TEXT NOT NULL,
    dump VARCHAR(255) NOT NULL,
    file VARCHAR(255) NOT NULL,
    position BIGINT UNSIGNED NOT NULL,
    gtid VARCHAR(255) NULL,
    transactions BIGINT UNSIGNED NOT NULL DEFAULT 0,
    state VARCHAR(16) NOT NULL,
    stop_point VARCHAR(255) NOT NULL,
    connection_id BIGINT UNSIGNED NULL,
    updated_at DATETIME(6) NOT NULL
  ) ENGINE=InnoDB`,
];

interface ProgressRow {
  replay_key: string;
  target_databases: string;
  dump: string;
  file: string;
  position: string | number;
  gtid: string | null;
  transactions: string | number;
  state: string;
  stop_point: string;
  connection_id: string | number | null;
  updated_at: string;
}

/** The row for these target databases, or null (also when nothing was ever replayed on this server). */
export async function readProgress(session: Session, key: string): Promise<PitrProgress | null> {
  let rows: ProgressRow[];
  try {
    rows = await session.query<ProgressRow>(`SELECT * FROM ${PROGRESS_TABLE} WHERE replay_key = ?`, [key]);
  } catch (error) {
    if (driverErrno(error) === ER.NO_SUCH_TABLE || driverErrno(error) === ER.BAD_DB) return null;
    throw fromDriverError(error, 'reading the roll-forward progress in the target');
  }
  const r = rows[0];
  if (!r) return null;
  return {
    replayKey: r.replay_key,
    targetDatabases: JSON.parse(r.target_databases) as string[],
    dump: r.dump,
    file: r.file,
    position: Number(r.position),
    gtid: r.gtid,
    transactions: Number(r.transactions),
    state: r.state === 'finished' || r.state === 'failed' ? r.state : 'running',
    stop: r.stop_point,
    connectionId: r.connection_id === null ? null : Number(r.connection_id),
    updatedAt: r.updated_at,
  };
}

/** Creates or resets the row before a replay starts (or continues) from `from`. */
export async function beginProgress(session: Session, p: { key: string; targetDatabases: readonly string[]; dump: string; from: TimelinePoint; stop: string; keepCount: boolean }): Promise<void> {
  try {
    for (const sql of DDL) await session.exec(sql);
    await session.exec(
      `INSERT INTO ${PROGRESS_TABLE} (replay_key, target_databases, dump, file, position, gtid, transactions, state, stop_point, connection_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 'running', ?, NULL, UTC_TIMESTAMP(6))
       ON DUPLICATE KEY UPDATE target_databases = VALUES(target_databases), dump = VALUES(dump), file = VALUES(file), position = VALUES(position), gtid = VALUES(gtid),
         transactions = IF(?, transactions, 0), state = 'running', stop_point = VALUES(stop_point), connection_id = NULL, updated_at = VALUES(updated_at)`,
      [p.key, JSON.stringify([...p.targetDatabases].sort()), p.dump, p.from.file, p.from.position, p.from.gtid, p.stop.slice(0, 255), p.keepCount ? 1 : 0],
    );
  } catch (error) {
    throw fromDriverError(error, 'recording the roll-forward progress in the target (paradump_recovery.pitr_progress: needs CREATE, INSERT and UPDATE on it)');
  }
}

/** Run first by the SQL client: the row names the connection applying the replay, so a resume can stop it. */
export function claimStatement(key: string): string {
  return `UPDATE ${PROGRESS_TABLE} SET connection_id = CONNECTION_ID() WHERE replay_key = ${quoteString(key)}`;
}

/** Run inside each replayed transaction, before its COMMIT. */
export function progressStatement(key: string, point: TimelinePoint): string {
  return `UPDATE ${PROGRESS_TABLE} SET file = ${quoteString(point.file)}, position = ${point.position}, gtid = ${point.gtid === null ? 'NULL' : quoteString(point.gtid)}, transactions = transactions + 1, updated_at = UTC_TIMESTAMP(6) WHERE replay_key = ${quoteString(key)}`;
}

/**
 * Ends the row. `reached`: the stop point, when the replay read up to it (as a position): the events
 * between the last replayed transaction and it changed nothing selected, so a resume starts there.
 */
export async function endProgress(session: Session, key: string, state: 'finished' | 'failed', reached: BinlogPoint | null = null): Promise<void> {
  await session.exec(`UPDATE ${PROGRESS_TABLE} SET state = ?, connection_id = NULL, updated_at = UTC_TIMESTAMP(6) WHERE replay_key = ?`, [state, key]);
  if (reached) {
    const row = await readProgress(session, key);
    if (row && compareBinlogPoints(reached, row) > 0) await session.exec(`UPDATE ${PROGRESS_TABLE} SET file = ?, position = ? WHERE replay_key = ?`, [reached.file, reached.position, key]);
  }
}

/**
 * Stops an earlier replay's SQL client that is still applying (its paradump was killed, the client
 * went on until its input ended), and waits until its connection is gone, so what the row says
 * afterwards is final.
 */
export async function stopEarlierReplay(session: Session, connectionId: number | null): Promise<void> {
  if (connectionId === null || connectionId === session.threadId) return;
  const alive = async () => (await session.query<{ n: number }>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [connectionId]))[0]?.n ?? 0;
  if (Number(await alive()) === 0) return;
  try {
    await session.exec(`KILL CONNECTION ${Number(connectionId)}`);
  } catch (error) {
    if (driverErrno(error) !== ER.NO_SUCH_THREAD) throw fromDriverError(error, `stopping the earlier replay (connection ${connectionId})`);
  }
  for (let i = 0; i < 300; i++) {
    if (Number(await alive()) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ParadumpError('ALREADY_RUNNING', `the earlier replay's connection ${connectionId} did not end within 30 s of KILL`, { details: { reason: 'REPLAY_STILL_RUNNING' } });
}

/** What forgetProgress needs of a connection (the restore's TargetConnection or a Session). */
interface Queryable {
  query<T>(sql: string, values?: string[]): Promise<T[]>;
  exec(sql: string, values?: string[]): Promise<unknown>;
}

/** A fresh restore into these databases: whatever was rolled forward before no longer applies. */
export async function forgetProgress(session: Queryable, targetDatabases: readonly string[]): Promise<void> {
  let rows: { replay_key: string; target_databases: string }[];
  try {
    rows = await session.query(`SELECT replay_key, target_databases FROM ${PROGRESS_TABLE}`);
  } catch (error) {
    if (driverErrno(error) === ER.NO_SUCH_TABLE || driverErrno(error) === ER.BAD_DB) return;
    throw fromDriverError(error, 'clearing the roll-forward progress of the restored databases');
  }
  const restored = new Set(targetDatabases);
  for (const r of rows) {
    if ((JSON.parse(r.target_databases) as string[]).some((d) => restored.has(d))) await session.exec(`DELETE FROM ${PROGRESS_TABLE} WHERE replay_key = ?`, [r.replay_key]);
  }
}

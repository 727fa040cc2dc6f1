/**
 * Everything that differs between MariaDB and MySQL lives here, as data: the engine asks for the
 * statement it needs and never branches on the server kind itself.
 */
export type FlavorKind = 'mariadb' | 'mysql';

export interface ServerFlavor {
  kind: FlavorKind;
  major: number;
  minor: number;
  patch: number;
  /** As the server reported it, e.g. `10.11.19-MariaDB-0+deb12u1-log`. */
  versionString: string;
}

export interface LockStatements {
  /** Statements run in order to take the lock. */
  acquire: string[];
  /** Statements run in order to release it. */
  release: string[];
  /** What the lock blocks, in the words the manifest and UI show. */
  blocks: string;
}

export interface FlavorSql {
  /** Reads binlog file and position (and on MySQL, `Executed_Gtid_Set`). Null when the server has no such statement. */
  binlogStatus: string;
  /** Reads the GTID position that matches the binlog position; null when GTIDs are not tracked. */
  gtidPosition: string | null;
  /** Instance-wide lock held only while the workers open their snapshots. */
  commitBlock: LockStatements;
  /**
   * Blocks DDL for the dump's duration; null when the server has none. On MariaDB it is
   * BACKUP STAGE BLOCK_DDL, which rules out BACKUP STAGE BLOCK_COMMIT for the snapshot opening, so
   * `commitBlockWithDdlBlock` (FLUSH TABLES WITH READ LOCK) is used instead.
   */
  ddlBlock: LockStatements | null;
  /** The commit block to use while `ddlBlock` is held. */
  commitBlockWithDdlBlock: LockStatements;
  /** Whether holding `ddlBlock` costs nothing extra (MySQL 8) — then it is on by default. */
  ddlBlockIsFree: boolean;
  /** Locks a set of tables against writes (per-db and per-table strategies). */
  lockTablesRead(qualifiedNames: readonly string[]): LockStatements;
  /** Opens a worker's snapshot transaction. */
  startSnapshot: string;
  /** Sets how long a lock request may wait, in seconds. */
  lockWaitTimeout(seconds: number): string;
  /** Lists running statements (for naming what blocks a lock). */
  processlist: string;
  /** Stops one running statement. */
  killQuery(id: number): string;
  /**
   * Inside a snapshot transaction: the binlog position the snapshot sees (`Variable_name`, `Value`
   * rows binlog_snapshot_file / binlog_snapshot_position). MariaDB only; null on MySQL, where a
   * lockless dump compares the binlog position before and after the snapshots open instead.
   */
  snapshotPosition: string | null;
  /** Reads how many statements the server is running now (`Value`), for throttling. */
  threadsRunning: string;
  /** `unique_checks` for a restore's loading sessions (see the two returns below for why). */
  loadUniqueChecks: 0 | 1;
  /**
   * What tells two connections apart as the same server (point-in-time recovery into the server it
   * reads the binlog of): MySQL's server_uuid; MariaDB has none, so server id, host name, port and
   * data directory together.
   */
  serverIdentity: string;
}

export function parseServerVersion(versionString: string, versionComment = ''): ServerFlavor {
  // MariaDB's handshake used to prefix "5.5.5-"; SELECT VERSION() does not, but tolerate it.
  const cleaned = versionString.replace(/^5\.5\.5-/, '');
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(cleaned);
  if (!match) throw new TypeError(`cannot parse server version "${versionString}"`);
  const isMaria = /mariadb/i.test(cleaned) || /mariadb/i.test(versionComment);
  return {
    kind: isMaria ? 'mariadb' : 'mysql',
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    versionString,
  };
}

function atLeast(f: ServerFlavor, major: number, minor: number, patch = 0): boolean {
  if (f.major !== major) return f.major > major;
  if (f.minor !== minor) return f.minor > minor;
  return f.patch >= patch;
}

export function flavorSql(f: ServerFlavor): FlavorSql {
  const common = {
    lockTablesRead: (names: readonly string[]): LockStatements => {
      if (names.length === 0) throw new TypeError('lockTablesRead needs at least one table');
      return { acquire: [`LOCK TABLES ${names.map((n) => `${n} READ`).join(', ')}`], release: ['UNLOCK TABLES'], blocks: 'writes to these tables; reads continue' };
    },
    lockWaitTimeout: (seconds: number) => `SET SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(seconds))}`,
    processlist:
      'SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command, TIME AS time, STATE AS state, LEFT(INFO, 300) AS info FROM information_schema.PROCESSLIST',
    killQuery: (id: number) => {
      if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`invalid connection id ${id}`);
      return `KILL QUERY ${id}`;
    },
    // Both flavors; MySQL 5.7 with show_compatibility_56 = OFF still answers SHOW GLOBAL STATUS.
    threadsRunning: "SHOW GLOBAL STATUS LIKE 'Threads_running'",
  };
  const ftwrl: LockStatements = {
    acquire: ['FLUSH TABLES WITH READ LOCK'],
    release: ['UNLOCK TABLES'],
    blocks: 'all writes and commits, and waits for running statements',
  };

  if (f.kind === 'mariadb') {
    const hasBackupStage = atLeast(f, 10, 4, 1);
    return {
      ...common,
      binlogStatus: 'SHOW MASTER STATUS',
      gtidPosition: atLeast(f, 10, 0) ? 'SELECT @@GLOBAL.gtid_binlog_pos AS gtid' : null,
      commitBlock: hasBackupStage
        ? {
            acquire: ['BACKUP STAGE START', 'BACKUP STAGE BLOCK_COMMIT'],
            release: ['BACKUP STAGE END'],
            blocks: 'commits and writes to non-transactional tables; running statements continue',
          }
        : ftwrl,
      ddlBlock: hasBackupStage
        ? { acquire: ['BACKUP STAGE START', 'BACKUP STAGE BLOCK_DDL'], release: ['BACKUP STAGE END'], blocks: 'DDL (and writes to non-transactional tables); commits continue' }
        : null,
      commitBlockWithDdlBlock: ftwrl,
      ddlBlockIsFree: false,
      startSnapshot: 'START TRANSACTION WITH CONSISTENT SNAPSHOT',
      // From 10.6, unique_checks = 0 (with foreign_key_checks = 0) turns the first insert into an
      // empty table into InnoDB's bulk insert, which on the benchmark cost the server 7-11 % more
      // CPU per table than ordinary inserts, for the same wall time; it never skips a uniqueness
      // check otherwise (no change buffer for unique indexes by default).
      loadUniqueChecks: atLeast(f, 10, 6) ? 1 : 0,
      serverIdentity: "SELECT CONCAT_WS(':', @@server_id, @@hostname, @@port, @@datadir) AS identity",
      snapshotPosition: "SHOW SESSION STATUS LIKE 'binlog_snapshot_%'",
    };
  }

  const is8 = f.major >= 8;
  return {
    ...common,
    // SHOW BINARY LOG STATUS arrived in 8.2 and SHOW MASTER STATUS was removed in 8.4.
    binlogStatus: atLeast(f, 8, 2) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    gtidPosition: atLeast(f, 5, 6) ? 'SELECT @@GLOBAL.gtid_executed AS gtid' : null,
    commitBlock: ftwrl,
    ddlBlock: is8
      ? { acquire: ['LOCK INSTANCE FOR BACKUP'], release: ['UNLOCK INSTANCE'], blocks: 'DDL; reads, writes and commits continue' }
      : null,
    commitBlockWithDdlBlock: ftwrl,
    ddlBlockIsFree: is8,
    startSnapshot: atLeast(f, 5, 6, 5) ? 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY' : 'START TRANSACTION WITH CONSISTENT SNAPSHOT',
    // MySQL has no such bulk mode; unique_checks = 0 lets the change buffer take unique secondary
    // index inserts, as the manual advises for bulk loads.
    loadUniqueChecks: 0,
    snapshotPosition: null,
    serverIdentity: atLeast(f, 5, 6) ? 'SELECT @@server_uuid AS identity' : "SELECT CONCAT_WS(':', @@server_id, @@hostname, @@port, @@datadir) AS identity",
  };
}

/** Normalizes a GTID set for the manifest: MariaDB `0-1-42,1-2-7`, MySQL `uuid:1-5,uuid2:1-3` (newlines removed). */
export function normalizeGtid(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.replace(/\s+/g, '');
  return text === '' ? null : text;
}

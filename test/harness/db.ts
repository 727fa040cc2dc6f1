import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import mysql from 'mysql2/promise';

export type Connection = mysql.Connection;

/** `` `a``b` `` — identifier quoting, backticks doubled. */
export function quoteIdent(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

const usedNames = new Set<string>();

/** `uniqueName('t_rt')` → `t_rt_1a2b3c`. Unique within this process, random across processes. */
export function uniqueName(prefix: string): string {
  if (!/^[A-Za-z0-9_]{1,50}$/.test(prefix)) {
    throw new TypeError('prefix must be 1-50 characters of [A-Za-z0-9_]');
  }
  for (;;) {
    const name = `${prefix}_${randomBytes(3).toString('hex')}`;
    if (!usedNames.has(name)) {
      usedNames.add(name);
      return name;
    }
  }
}

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The host, port, user and password of a `mysql://` URI (what `addServer` and mysql2 take). */
export function serverAddress(uri: string): ServerAddress {
  const u = new URL(uri);
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new TypeError(`uri must start with mysql://, got ${u.protocol}`);
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
  };
}

/**
 * mysql2/promise connection with multipleStatements on (fixture loading).
 * Nothing is rounded or shifted by a time zone: BIGINTs are numbers when they fit in 2^53 and
 * strings otherwise (supportBigNumbers), DECIMALs are strings, DATE/DATETIME/TIMESTAMP are strings
 * (dateStrings).
 * The session time zone is +00:00.
 */
export async function connect(uri: string, database?: string): Promise<Connection> {
  const a = serverAddress(uri);
  const conn = await mysql.createConnection({
    host: a.host,
    port: a.port,
    user: a.user,
    password: a.password,
    database,
    multipleStatements: true,
    supportBigNumbers: true,
    dateStrings: true,
    charset: 'utf8mb4_general_ci',
    timezone: 'Z',
  });
  await conn.query("SET time_zone = '+00:00'");
  return conn;
}

async function withConnection<T>(uri: string, database: string | undefined, fn: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(uri, database);
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** One statement on a connection of its own, its rows typed by the caller. */
export async function queryRows<T>(uri: string, sql: string): Promise<T[]> {
  const c = await connect(uri);
  try {
    const [rows] = await c.query(sql);
    return rows as T[];
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  /** The server URI with the database in the path: `mysql://root@127.0.0.1:PORT/name`. */
  uri: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE with a unique name; `drop()` removes it (safe to call twice). */
export async function createTestDatabase(uri: string, prefix: string): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await withConnection(uri, undefined, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const base = new URL(uri);
  base.pathname = '/' + encodeURIComponent(name);
  return {
    name,
    uri: base.toString(),
    drop: async () => {
      await withConnection(uri, undefined, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`));
    },
  };
}

/** Base tables, system-versioned tables and sequences of a database, sorted by name. */
export async function listTables(uri: string, db: string): Promise<string[]> {
  return withConnection(uri, undefined, async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE')
        ORDER BY TABLE_NAME`,
      [db],
    );
    return rows.map((r) => String(r.name));
  });
}

/**
 * `CHECKSUM TABLE … EXTENDED` of every base table: `{ table: checksum }`.
 * Checksums are decimal strings (they exceed 2^53); null if the server returned NULL.
 * Note the checksum depends on the table definition too, so compare tables with equal definitions.
 */
export async function checksumTables(uri: string, db: string): Promise<Record<string, string | null>> {
  const tables = await listTables(uri, db);
  return withConnection(uri, undefined, async (c) => {
    const out: Record<string, string | null> = {};
    for (const t of tables) {
      const [rows] = await c.query<mysql.RowDataPacket[]>(
        `CHECKSUM TABLE ${quoteIdent(db)}.${quoteIdent(t)} EXTENDED`,
      );
      const v = rows[0]?.Checksum as string | number | null | undefined;
      out[t] = v === null || v === undefined ? null : String(v);
    }
    return out;
  });
}

export interface TableDefinitions {
  /** SHOW CREATE DATABASE with the name replaced by `DB`. */
  database: string;
  tables: Record<string, string>;
  /** MariaDB sequences (SHOW CREATE SEQUENCE); their current value is covered by checksumTables. */
  sequences: Record<string, string>;
  views: Record<string, string>;
  triggers: Record<string, string>;
  procedures: Record<string, string>;
  functions: Record<string, string>;
  events: Record<string, string>;
}

export interface TableDefinitionsOptions {
  /**
   * Remove ` AUTO_INCREMENT=N` from CREATE TABLE. Off by default: a faithful restore keeps the
   * counter (SHOW CREATE TABLE carries it), so only strip it where a test knowingly doesn't care.
   * @default false
   */
  ignoreAutoIncrement?: boolean;
}

/**
 * Normalized definitions of every object in `db`, keyed by kind then name, for comparing a
 * source database with its restored copy under another name.
 *
 * Normalization, and only this: the database's own qualifier (`` `db`. ``) is removed (views
 * spell out `db`.`t`, which differs between source and copy) and the database name in SHOW
 * CREATE DATABASE becomes `DB`; optionally the AUTO_INCREMENT counter (see options). Everything
 * else is compared verbatim, including DEFINER, and for views/triggers/routines/events the
 * sql_mode, time zone and character sets they were created with (a header line), since a restore
 * that loses those changes behaviour. Timestamps such as a trigger's `Created` are left out.
 */
export async function tableDefinitions(uri: string, db: string, options: TableDefinitionsOptions = {}): Promise<TableDefinitions> {
  const qdb = quoteIdent(db);
  const strip = (s: string) => s.split(qdb + '.').join('');
  const header = (r: mysql.RowDataPacket, keys: string[]) =>
    '-- ' + keys.filter((k) => k in r).map((k) => `${k}=${String(r[k])}`).join(' ') + '\n';

  return withConnection(uri, undefined, async (c) => {
    const [dbRows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE DATABASE ${qdb}`);
    const database = String(dbRows[0]?.['Create Database'] ?? '').split(qdb).join('`DB`');

    const out: TableDefinitions = { database, tables: {}, sequences: {}, views: {}, triggers: {}, procedures: {}, functions: {}, events: {} };

    const [full] = await c.query<mysql.RowDataPacket[]>(`SHOW FULL TABLES FROM ${qdb}`);
    const objects = full
      .map((r) => {
        const vals = Object.values(r) as string[];
        return { name: String(vals[0]), type: String(vals[1]) };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, type } of objects) {
      if (type === 'VIEW') {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE VIEW ${qdb}.${quoteIdent(name)}`);
        const r = rows[0]!;
        out.views[name] = header(r, ['character_set_client', 'collation_connection']) + strip(String(r['Create View']));
      } else if (type === 'SEQUENCE') {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE SEQUENCE ${qdb}.${quoteIdent(name)}`);
        out.sequences[name] = strip(String(rows[0]!['Create Table']));
      } else {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${qdb}.${quoteIdent(name)}`);
        let def = strip(String(rows[0]!['Create Table']));
        if (options.ignoreAutoIncrement) def = def.replace(/ AUTO_INCREMENT=\d+/, '');
        out.tables[name] = def;
      }
    }

    const [triggers] = await c.query<mysql.RowDataPacket[]>(
      `SELECT TRIGGER_NAME AS name, ACTION_ORDER AS ord FROM information_schema.TRIGGERS
        WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME`,
      [db],
    );
    for (const t of triggers) {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE TRIGGER ${qdb}.${quoteIdent(String(t.name))}`);
      const r = rows[0]!;
      out.triggers[String(t.name)] =
        `-- action_order=${String(t.ord)}\n` +
        header(r, ['sql_mode', 'character_set_client', 'collation_connection', 'Database Collation']) +
        strip(String(r['SQL Original Statement']));
    }

    const [routines] = await c.query<mysql.RowDataPacket[]>(
      `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES
        WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_NAME`,
      [db],
    );
    for (const rt of routines) {
      const kind = String(rt.type);
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE ${kind} ${qdb}.${quoteIdent(String(rt.name))}`);
      const r = rows[0]!;
      const def =
        header(r, ['sql_mode', 'character_set_client', 'collation_connection', 'Database Collation']) +
        strip(String(r[kind === 'PROCEDURE' ? 'Create Procedure' : 'Create Function']));
      (kind === 'PROCEDURE' ? out.procedures : out.functions)[String(rt.name)] = def;
    }

    const [events] = await c.query<mysql.RowDataPacket[]>(
      `SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME`,
      [db],
    );
    for (const e of events) {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SHOW CREATE EVENT ${qdb}.${quoteIdent(String(e.name))}`);
      const r = rows[0]!;
      out.events[String(e.name)] =
        header(r, ['sql_mode', 'time_zone', 'character_set_client', 'collation_connection', 'Database Collation']) +
        strip(String(r['Create Event']));
    }
    return out;
  });
}

export interface RunSqlFileOptions {
  /** `--default-character-set` of the client. @default 'utf8mb4' */
  charset?: string;
  /** Extra arguments for the `mariadb` client. */
  extraArgs?: string[];
}

/**
 * Pipe a SQL file through the `mariadb` command-line client (so DELIMITER, executable comments
 * and everything a dump may contain work as in real life). `.gz` is inflated with zlib and `.zst`
 * with `zstd -dc`, streaming; the file is never read whole into memory.
 */
export async function runSqlFile(uri: string, db: string, filePath: string, options: RunSqlFileOptions = {}): Promise<void> {
  const a = serverAddress(uri);
  const args = [
    '--no-defaults',
    '--protocol=TCP',
    `--host=${a.host}`,
    `--port=${a.port}`,
    `--user=${a.user}`,
    `--database=${db}`,
    '--binary-mode',
    '--batch',
    `--default-character-set=${options.charset ?? 'utf8mb4'}`,
    ...(options.extraArgs ?? []),
  ];
  const env = { ...process.env };
  if (a.password) env.MYSQL_PWD = a.password;
  else delete env.MYSQL_PWD;

  const client = spawn('mariadb', args, { stdio: ['pipe', 'ignore', 'pipe'], env });
  const clientStderr = collect(client.stderr);
  const clientExit = exitOf(client, 'mariadb (apt-get install mariadb-client)');

  let source: Readable;
  let decompressorExit: Promise<{ code: number | null; error?: Error }> = Promise.resolve({ code: 0 });
  let decompressorStderr: Promise<string> = Promise.resolve('');
  if (filePath.endsWith('.zst')) {
    const zstd = spawn('zstd', ['-dc', '--', filePath], { stdio: ['ignore', 'pipe', 'pipe'] });
    decompressorStderr = collect(zstd.stderr);
    decompressorExit = exitOf(zstd, 'zstd (apt-get install zstd)');
    source = zstd.stdout;
  } else if (filePath.endsWith('.gz')) {
    source = createReadStream(filePath).pipe(createGunzip());
  } else {
    source = createReadStream(filePath);
  }

  const piped = pipeline(source, client.stdin).then(
    () => undefined,
    (err: Error) => err,
  );
  const [pipeErr, cExit, dExit] = await Promise.all([piped, clientExit, decompressorExit]);
  if (cExit.error || cExit.code !== 0) {
    throw new Error(`mariadb client failed on ${filePath} (exit ${cExit.code}): ${cExit.error?.message ?? (await clientStderr).trim()}`);
  }
  if (dExit.error || dExit.code !== 0) {
    throw new Error(`zstd -dc ${filePath} failed (exit ${dExit.code}): ${dExit.error?.message ?? (await decompressorStderr).trim()}`);
  }
  if (pipeErr) throw new Error(`reading ${filePath} failed: ${pipeErr.message}`, { cause: pipeErr });
}

function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve) => {
    let s = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      if (s.length < 65_536) s += d;
    });
    stream.on('close', () => resolve(s));
    stream.on('error', () => resolve(s));
  });
}

function exitOf(child: ReturnType<typeof spawn>, what: string): Promise<{ code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: null, error: err.code === 'ENOENT' ? new Error(`${what} not found`) : err }),
    );
    child.once('close', (code) => resolve({ code }));
  });
}

// ---------------------------------------------------------------------------------------------
// The bank: money moves between dbA.acct and dbB.acct; the grand total never changes, so any
// dump whose tables were read at different moments shows a wrong total (see consistency.md).

export interface BankFixtureOptions {
  dbA: string;
  dbB: string;
  /** Rows in each `acct` table. @default 100 */
  rowsEach?: number;
  /** The invariant grand total across both tables. @default 1_000_000 */
  total?: number;
}

/** Creates dbA/dbB if missing and an `acct (id, balance)` table in each holding `total` in all. */
export async function createBankFixture(uri: string, options: BankFixtureOptions): Promise<{ total: number }> {
  const rowsEach = options.rowsEach ?? 100;
  const total = options.total ?? 1_000_000;
  if (!Number.isInteger(rowsEach) || rowsEach < 1) throw new TypeError('rowsEach must be a positive integer');
  if (!Number.isSafeInteger(total) || total < 0) throw new TypeError('total must be a non-negative safe integer');
  const n = rowsEach * 2;
  const each = Math.floor(total / n);
  const remainder = total - each * n;
  await withConnection(uri, undefined, async (c) => {
    for (const [i, db] of [options.dbA, options.dbB].entries()) {
      await c.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)}`);
      await c.query(
        `CREATE TABLE ${quoteIdent(db)}.acct (
           id INT NOT NULL PRIMARY KEY,
           balance BIGINT NOT NULL,
           moves INT NOT NULL DEFAULT 0
         ) ENGINE=InnoDB`,
      );
      const rows: [number, number][] = [];
      for (let id = 1; id <= rowsEach; id++) rows.push([id, each + (i === 0 && id === 1 ? remainder : 0)]);
      for (let k = 0; k < rows.length; k += 1000) {
        await c.query(`INSERT INTO ${quoteIdent(db)}.acct (id, balance) VALUES ?`, [rows.slice(k, k + 1000)]);
      }
    }
  });
  return { total };
}

/** Sum of both `acct` tables, read in one statement (one consistent read). */
export async function bankTotal(uri: string, options: { dbA: string; dbB: string }): Promise<number> {
  return withConnection(uri, undefined, async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COALESCE(SUM(balance), 0) FROM ${quoteIdent(options.dbA)}.acct)
            + (SELECT COALESCE(SUM(balance), 0) FROM ${quoteIdent(options.dbB)}.acct) AS total`,
    );
    return Number(rows[0]?.total);
  });
}

export interface MoneyWriterOptions {
  uri: string;
  dbA: string;
  dbB: string;
  /** Parallel writer connections. @default 2 */
  concurrency?: number;
  /** Upper bound on committed transactions per second across all connections. @default 200 */
  txPerSecond?: number;
  /** Largest amount moved in one transaction. @default 100 */
  maxAmount?: number;
}

export interface MoneyWriter {
  /** Transactions committed so far. */
  readonly committed: number;
  /** Deadlocks / lock wait timeouts that were rolled back and retried. */
  readonly retried: number;
  /** Stop after the in-flight transactions finish; resolves with the committed count, rejects if a writer failed. */
  stop(): Promise<number>;
}

const RETRYABLE = new Set([1213 /* ER_LOCK_DEADLOCK */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);

/**
 * Continuously moves a random amount from one random account to another, each move one
 * transaction (UPDATE, UPDATE, COMMIT as separate round trips); accounts are picked from both
 * databases, so some moves cross databases and some stay inside one. Rows are updated in a fixed
 * order, so writers don't deadlock each other.
 */
export async function startMoneyWriter(options: MoneyWriterOptions): Promise<MoneyWriter> {
  const concurrency = options.concurrency ?? 2;
  const txPerSecond = options.txPerSecond ?? 200;
  const maxAmount = options.maxAmount ?? 100;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new TypeError('concurrency must be an integer from 1 to 32');
  if (!(txPerSecond > 0)) throw new TypeError('txPerSecond must be a positive number');
  if (!Number.isInteger(maxAmount) || maxAmount < 1) throw new TypeError('maxAmount must be a positive integer');

  const tables = [`${quoteIdent(options.dbA)}.acct`, `${quoteIdent(options.dbB)}.acct`] as const;
  const ids = await withConnection(options.uri, undefined, async (c) => {
    const out: number[][] = [];
    for (const t of tables) {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT id FROM ${t} ORDER BY id`);
      out.push(rows.map((r) => Number(r.id)));
    }
    return out;
  });
  if (ids.some((l) => l.length === 0) || ids.flat().length < 2) throw new Error('startMoneyWriter: the acct tables need rows');
  const accounts = ids.flatMap((list, t) => list.map((id) => ({ t, id })));

  const conns = await Promise.all(Array.from({ length: concurrency }, () => connect(options.uri)));
  let stopping = false;
  let committed = 0;
  let retried = 0;
  let failure: unknown;
  const intervalMs = (1000 * concurrency) / txPerSecond;

  const work = async (c: Connection) => {
    let next = Date.now();
    while (!stopping) {
      const i = randomInt(accounts.length);
      let j = randomInt(accounts.length - 1);
      if (j >= i) j++;
      const from = accounts[i]!;
      const to = accounts[j]!;
      const amount = randomInt(1, maxAmount + 1);
      const moves = [
        { ...from, delta: -amount },
        { ...to, delta: amount },
      ].sort((x, y) => x.t - y.t || x.id - y.id);
      try {
        await c.query('START TRANSACTION');
        for (const m of moves) {
          await c.query(`UPDATE ${tables[m.t]} SET balance = balance + ?, moves = moves + 1 WHERE id = ?`, [m.delta, m.id]);
        }
        await c.query('COMMIT');
        committed++;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        const errno = (err as { errno?: number }).errno;
        if (errno !== undefined && RETRYABLE.has(errno)) {
          retried++;
          continue;
        }
        failure ??= err;
        stopping = true;
        return;
      }
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -1000) next = Date.now(); // fell far behind (e.g. blocked by a lock): don't burst
    }
  };
  const running = Promise.all(conns.map((c) => work(c)));

  let stopped: Promise<number> | undefined;
  return {
    get committed() {
      return committed;
    },
    get retried() {
      return retried;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await running;
        await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
        if (failure) throw failure;
        return committed;
      })();
      return stopped;
    },
  };
}

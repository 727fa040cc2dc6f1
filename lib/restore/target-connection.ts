import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2';
import type { Connection, ResultSetHeader } from 'mysql2';
import { fromDriverError } from '../mysql/driver-error.ts';
import { endConnection } from '../mysql/end-connection.ts';
import { ParadumpError } from '../core/errors.ts';
import { flavorSql, parseServerVersion, type ServerFlavor } from '../mysql/flavor.ts';
import { checkPeerIdentity, failFastWhenLost, restoreTlsErrorCode, tlsConnectOptions } from '../mysql/session.ts';
import type { ServerAddress } from '../mysql/uri.ts';

/** A value for a `?` placeholder. */
export type SqlParam = string | number | bigint | boolean | null;

/** What a write statement reports. */
export interface ExecResult {
  affectedRows: number;
  warningStatus: number;
}

export type ConnectionNames = 'utf8mb4' | 'binary';

/** Statements whose meaning does not depend on the connection charset: no switch back for them. */
const CHARSET_NEUTRAL = new Set(['START TRANSACTION', 'COMMIT', 'ROLLBACK']);

/**
 * The session settings every restore connection runs with: what the data files' preamble asks for,
 * which the loader checks and does not run (`unique_checks` is set per flavor in `open`).
 */
export const RESTORE_SESSION_SQL = [
  'SET NAMES utf8mb4',
  "SET SESSION foreign_key_checks = 0, sql_mode = 'NO_AUTO_VALUE_ON_ZERO', time_zone = '+00:00'",
];

/**
 * A connection to the restore target that sends statements as exact bytes. Dump files hold raw
 * bytes in several charsets (`_latin1'…'`, `_binary'…'`); a driver that takes SQL as a JS string
 * and encodes it as UTF-8 would mangle them. The client side of this connection is `binary` (one
 * JS char per byte, sent as is) while the server is told `SET NAMES utf8mb4`, which is what the
 * files are written for. Text the engine builds itself goes through `exec`, which encodes UTF-8.
 *
 * (lib/mysql's Session always encodes UTF-8; this is the one other place that opens a connection, with the
 * same TLS options: `tlsConnectOptions`.)
 */
export class TargetConnection {
  readonly flavor: ServerFlavor;
  readonly threadId: number;
  private currentDatabase: string | null = null;
  /** The connection charset the server was last told (`SET NAMES`), as far as this class knows. */
  private names: ConnectionNames = 'utf8mb4';
  private closed = false;
  /**
   * The COM_QUERY packet of execBytes, reused: a statement is only sent after the previous one was
   * answered, and the server answers only once it has read the whole packet, so the buffer is free
   * again by then. One 1 MB allocation per statement was most of a restore's garbage.
   */
  private packet = Buffer.allocUnsafe(0);

  private constructor(
    private readonly connection: Connection,
    flavor: ServerFlavor,
    threadId: number,
  ) {
    this.flavor = flavor;
    this.threadId = threadId;
  }

  static async open(address: ServerAddress, options: { label?: string; noBinlog?: boolean } = {}): Promise<TargetConnection> {
    const label = options.label ?? `connecting to the target ${address.host}:${address.port}`;
    const connection = mysql.createConnection({
      host: address.host,
      port: address.port,
      user: address.user,
      password: address.password,
      ...(address.socketPath ? { socketPath: address.socketPath } : {}),
      ...tlsConnectOptions(address),
      // Client-side encoding 'binary': the bytes of a statement go out untouched.
      charset: 'BINARY',
      // Without session tracking the driver does not follow the server's character_set_client
      // (SET NAMES below) and keeps sending bytes as they are.
      flags: ['-SESSION_TRACK'],
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      multipleStatements: false,
      connectTimeout: 10_000,
      enableKeepAlive: true,
      // Statements arrive formatted (mysql.format in exec/query) or as dump bytes: the driver's own
      // placeholder scan would walk every byte of every INSERT looking for `?` (~3 s per GB).
      queryFormat: (sql: string) => sql,
    });
    connection.on('error', () => undefined);
    failFastWhenLost(connection);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
      checkPeerIdentity(connection, address, label);
    } catch (error) {
      connection.destroy();
      throw fromDriverError(restoreTlsErrorCode(connection, error), label);
    }
    const raw = new TargetConnection(connection, { kind: 'mariadb', major: 0, minor: 0, patch: 0, versionString: '' }, connection.threadId ?? -1);
    try {
      for (const sql of RESTORE_SESSION_SQL) await raw.exec(sql);
      const [row] = await raw.query<{ version: string; comment: string | null; id: string | number }>('SELECT VERSION() AS version, @@version_comment AS comment, CONNECTION_ID() AS id');
      if (!row) throw new ParadumpError('UNSUPPORTED_SERVER', 'the target did not report its version');
      const flavor = parseServerVersion(row.version, row.comment ?? '');
      const conn = new TargetConnection(connection, flavor, Number(row.id));
      await conn.exec(flavor.kind === 'mariadb' ? 'SET SESSION max_statement_time = 0' : 'SET SESSION max_execution_time = 0');
      await conn.exec(`SET SESSION unique_checks = ${flavorSql(flavor).loadUniqueChecks}, net_read_timeout = 3600, net_write_timeout = 3600, wait_timeout = 86400`);
      // Loads never read what others write: READ COMMITTED takes no gap locks, so parallel chunks
      // of one table (and a range delete before a reload) do not lock each other out. Statement-based
      // binary logging refuses it for InnoDB, so then the server's default stays.
      const [fmt] = await conn.query<{ f: string | null }>('SELECT @@SESSION.binlog_format AS f');
      if (fmt?.f !== 'STATEMENT') await conn.exec('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      if (options.noBinlog) {
        try {
          await conn.exec('SET SESSION sql_log_bin = 0');
        } catch (error) {
          throw fromDriverError(error, '--no-binlog needs SET SESSION sql_log_bin = 0 (SUPER or BINLOG ADMIN privilege)');
        }
      }
      return conn;
    } catch (error) {
      connection.destroy();
      throw fromDriverError(error, label);
    }
  }

  /** `USE db`, skipped when it is the current database already. */
  async use(database: string): Promise<void> {
    if (this.currentDatabase === database) return;
    this.currentDatabase = null;
    await this.exec(`USE \`${database.replace(/`/g, '``')}\``);
    this.currentDatabase = database;
  }

  /**
   * Switches the connection charset for what follows. Data files are written for `utf8mb4`, but a
   * table whose columns read a `binary` literal exactly as they read the same bytes in utf8mb4 (see
   * `loadNames`) can be loaded under `SET NAMES binary`: the server's parser then walks the
   * statement a byte at a time instead of checking every multi-byte character, ~10 % of a
   * restore's server CPU. Statements the engine writes (`exec`, `query`) switch back first, since
   * comparisons with a binary literal would be binary (a range delete must compare by collation).
   */
  async setNames(names: ConnectionNames): Promise<void> {
    if (this.names === names) return;
    await this.send(`SET NAMES ${names}`);
    this.names = names;
  }

  /** Runs a statement given as exact bytes. */
  execBytes(sql: Buffer): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.packet.length < 5 + sql.length) this.packet = Buffer.allocUnsafe(Math.max(5 + sql.length, Math.min(this.packet.length * 2, 64 * 1024 * 1024)));
      const packet = this.packet.subarray(0, 5 + sql.length);
      packet[4] = 0x03; // COM_QUERY; bytes 0–3 are the header the driver writes
      sql.copy(packet, 5);
      const cmd = queryOfBytes(this.connection, packet, (err, result) => {
        if (err) reject(err);
        else resolve(execResult(result));
      });
      this.connection.query(cmd);
    });
  }

  /**
   * Runs a `LOAD DATA LOCAL INFILE` (text the engine wrote) whose file is the byte stream the
   * `stages` make (read → hash → decompress). The file is opened only when the server asks for it —
   * a statement the server refuses reads nothing — and whatever path the server names, only this
   * stream is sent. mysql2 writes each chunk it is handed straight to the socket, so chunks are
   * handed over only while the socket's buffer is below its mark: memory stays flat however big
   * the file. A failing stage ends the file early and fails the statement with its own error.
   */
  async loadLocal(sql: string, stages: () => (Readable | Writable)[], signal?: AbortSignal): Promise<ExecResult> {
    await this.setNames('utf8mb4');
    const socket = (this.connection as unknown as { stream: Writable }).stream;
    let piping: Promise<void> | null = null;
    let first: Readable | Writable | undefined;
    const result = await new Promise<ExecResult>((resolve, reject) => {
      const infileStreamFactory = (): Readable => {
        const feed = new Readable({ read: () => undefined });
        const gate = new Writable({
          write(chunk: Buffer, _enc, done) {
            const go = (): void => {
              feed.push(chunk);
              done();
            };
            if (socket.writableNeedDrain) socket.once('drain', go);
            else go();
          },
          final(done) {
            feed.push(null);
            done();
          },
        });
        const parts = stages();
        first = parts[0];
        piping = pipeline([...parts, gate] as NodeJS.WritableStream[], signal ? { signal } : {}).catch((error: unknown) => {
          feed.destroy(error as Error);
          throw error;
        });
        piping.catch(() => undefined);
        return feed;
      };
      this.connection.query({ sql: toWire(sql), infileStreamFactory } as Parameters<Connection['query']>[0], (err: Error | null, res: unknown) => {
        if (err) {
          // A connection that died mid-file would leave the reading side waiting for 'drain'.
          first?.destroy(err);
          reject(err);
        } else resolve(execResult(res));
      });
    });
    if (piping) await piping;
    return result;
  }

  /** Runs a statement the engine wrote (UTF-8 text, `?` placeholders escaped client-side). */
  async exec(sql: string, values?: SqlParam[]): Promise<ExecResult> {
    if (!CHARSET_NEUTRAL.has(sql)) await this.setNames('utf8mb4');
    return this.send(toWire(values ? mysql.format(sql, values) : sql));
  }

  /** Rows of a metadata query, as objects (text decoded by each column's charset). */
  async query<T>(sql: string, values?: SqlParam[]): Promise<T[]> {
    await this.setNames('utf8mb4');
    return new Promise((resolve, reject) => {
      this.connection.query({ sql: toWire(values ? mysql.format(sql, values) : sql) }, (err, rows) => {
        if (err) reject(err);
        else resolve((Array.isArray(rows) ? rows : [rows]) as T[]);
      });
    });
  }

  private send(wire: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.connection.query({ sql: wire }, (err, result) => {
        if (err) reject(err);
        else resolve(execResult(result));
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await endConnection(this.connection);
  }

  destroy(): void {
    this.closed = true;
    this.connection.destroy();
  }
}

function execResult(result: unknown): ExecResult {
  const header = (Array.isArray(result) ? {} : result) as Partial<ResultSetHeader>;
  return { affectedRows: header.affectedRows ?? 0, warningStatus: header.warningStatus ?? 0 };
}

/** The parts of mysql2's internals `queryOfBytes` relies on (mysql2 3.x). */
interface DriverPacket {
  constructor: new (id: number, buffer: Buffer, start: number, end: number) => DriverPacket;
}
interface DriverConnection {
  config: unknown;
  writePacket(packet: DriverPacket): void;
}
interface DriverQuery {
  start(packet: unknown, connection: DriverConnection): unknown;
}

/**
 * A COM_QUERY sent as `packet` (4 bytes of room for the header, 0x03, the statement's bytes as
 * they are). mysql2 only takes SQL as a JS string,
 * which for a 1 MB INSERT means a Buffer→string→Buffer round trip (~2 s per GB on the main thread,
 * plus the garbage). The driver's own Query command does everything else — result parsing, errors,
 * timeouts, packets over 16 MB — and only the packet it writes is swapped for one holding the bytes.
 */
function queryOfBytes(connection: Connection, packet: Buffer, callback: (err: Error | null, result: unknown) => void): Parameters<Connection['query']>[0] {
  const create = (connection.constructor as unknown as { createQuery(sql: { sql: string }, values: undefined, cb: typeof callback, config: unknown): DriverQuery }).createQuery;
  const cmd = create({ sql: '' }, undefined, callback, (connection as unknown as DriverConnection).config);
  const start = Object.getPrototypeOf(cmd).start as DriverQuery['start'];
  cmd.start = function (incoming, conn) {
    const writePacket = conn.writePacket;
    conn.writePacket = function (empty) {
      conn.writePacket = writePacket;
      writePacket.call(conn, new empty.constructor(0, packet, 0, packet.length));
    };
    try {
      return start.call(this, incoming, conn);
    } finally {
      conn.writePacket = writePacket;
    }
  };
  return cmd as unknown as Parameters<Connection['query']>[0];
}

/** UTF-8 text as the one-char-per-byte string the binary client side sends unchanged. */
function toWire(text: string): string {
  // Pure ASCII is the same either way: skip the copy.
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

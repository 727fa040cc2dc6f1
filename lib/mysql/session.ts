import mysql from 'mysql2';
import type { Connection, FieldPacket, RowDataPacket } from 'mysql2';
import type { Readable } from 'node:stream';
import { fromDriverError, ParadumpError } from '../engine/errors.ts';
import { flavorSql, parseServerVersion, type FlavorSql, type ServerFlavor } from './flavor.ts';
import type { ServerAddress } from './uri.ts';

/** One value as the server sent it in the text protocol: raw bytes, or null for SQL NULL. */
export type RawValue = Buffer | null;
export type RawRow = RawValue[];

/**
 * A connection to the source or target. Metadata queries decode to JS values (big numbers and
 * dates as strings, never lossy); `streamRaw` yields the raw bytes the row path encodes.
 */
export class Session {
  readonly connection: Connection;
  readonly flavor: ServerFlavor;
  readonly sql: FlavorSql;
  readonly threadId: number;
  private closed = false;

  private constructor(connection: Connection, flavor: ServerFlavor) {
    this.connection = connection;
    this.flavor = flavor;
    this.sql = flavorSql(flavor);
    this.threadId = connection.threadId ?? -1;
  }

  static async open(address: ServerAddress, options: { label?: string; database?: string } = {}): Promise<Session> {
    const label = options.label ?? `connecting to ${address.host}:${address.port}`;
    const connection = mysql.createConnection({
      host: address.host,
      port: address.port,
      user: address.user,
      password: address.password,
      ...(address.socketPath ? { socketPath: address.socketPath } : {}),
      ...(address.ssl ? { ssl: {} } : {}),
      ...(options.database ? { database: options.database } : {}),
      charset: 'UTF8MB4_GENERAL_CI',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
      multipleStatements: false,
      connectTimeout: 10_000,
      // Keep-alive so a stalled network is noticed instead of hanging a worker forever.
      enableKeepAlive: true,
    });
    // Without a listener an 'error' after connect (server gone) would crash the process.
    connection.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
    } catch (error) {
      connection.destroy();
      throw fromDriverError(error, label);
    }
    const session = new Session(connection, { kind: 'mariadb', major: 0, minor: 0, patch: 0, versionString: '' });
    try {
      const [row] = await session.query<{ version: string; comment: string | null }>('SELECT VERSION() AS version, @@version_comment AS comment');
      if (!row) throw new ParadumpError('UNSUPPORTED_SERVER', 'the server did not report its version');
      return new Session(connection, parseServerVersion(row.version, row.comment ?? ''));
    } catch (error) {
      connection.destroy();
      throw fromDriverError(error, label);
    }
  }

  /** Runs one statement and returns its rows as objects (or the OK packet's fields for writes). */
  query<T = RowDataPacket>(sql: string, values?: unknown[]): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.connection.query({ sql, values: values ?? [] }, (err, rows) => {
        if (err) reject(err);
        else resolve((Array.isArray(rows) ? rows : [rows]) as T[]);
      });
    });
  }

  /** Runs a statement for its effect. */
  async exec(sql: string, values?: unknown[]): Promise<void> {
    await this.query(sql, values);
  }

  /** Rows as arrays of raw Buffers — the encoder's input. Streams with backpressure. */
  streamRaw(sql: string): { stream: Readable; fields: Promise<FieldPacket[]> } {
    const query = this.connection.query({ sql, rowsAsArray: true, typeCast: false });
    const fields = new Promise<FieldPacket[]>((resolve, reject) => {
      query.once('fields', (f: FieldPacket[]) => resolve(f));
      query.once('error', reject);
      query.once('end', () => resolve([]));
    });
    fields.catch(() => undefined);
    // highWaterMark is in rows: enough to keep the encoder busy, small enough to keep memory flat.
    const stream = query.stream({ highWaterMark: 256 });
    // mysql2 reports a lost connection only to the connection, not to a callback-less query: without
    // this the stream would wait forever — or worse, a caller could mistake the silence for the end.
    const lost = (error?: unknown) => {
      if (!stream.destroyed && !stream.readableEnded) {
        stream.destroy(fromDriverError(error ?? Object.assign(new Error('connection closed'), { code: 'PROTOCOL_CONNECTION_LOST' }), 'reading rows'));
      }
    };
    this.connection.once('error', lost);
    this.connection.once('end', lost);
    stream.once('close', () => {
      this.connection.off('error', lost);
      this.connection.off('end', lost);
    });
    return { stream, fields };
  }

  /** All rows of a small query as raw Buffers (key boundaries, where exact bytes matter). */
  queryRaw(sql: string): Promise<RawRow[]> {
    return new Promise((resolve, reject) => {
      this.connection.query({ sql, rowsAsArray: true, typeCast: false }, (err, rows) => {
        if (err) reject(err);
        else resolve(rows as unknown as RawRow[]);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.connection.destroy();
        resolve();
      }, 2_000);
      this.connection.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  destroy(): void {
    this.closed = true;
    this.connection.destroy();
  }
}

/** Quotes an identifier with backticks; any character is allowed, a backtick is doubled. */
export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `db`.`table` */
export function qualified(database: string, table: string): string {
  return `${quoteId(database)}.${quoteId(table)}`;
}

/** Quotes a string literal for statements the engine builds itself (metadata queries). */
export function quoteString(value: string): string {
  return mysql.escape(value);
}

import mysql from 'mysql2';
import type { Connection, FieldPacket, RowDataPacket, SslOptions } from 'mysql2';
import net, { isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { checkServerIdentity, TLSSocket } from 'node:tls';
import { fromDriverError, ParadumpError } from '../engine/errors.ts';
import { flavorSql, parseServerVersion, type FlavorSql, type ServerFlavor } from './flavor.ts';
import { mysqlSslOptions } from './tls.ts';
import type { ServerAddress } from './uri.ts';

/** One value as the server sent it in the text protocol: raw bytes, or null for SQL NULL. */
export type RawValue = Buffer | null;
export type RawRow = RawValue[];

/** Whole rows in the text protocol's encoding, as `streamRaw` yields them. */
export interface RowBatch {
  /**
   * Row packets back to back. Each: a 3-byte little-endian payload length and a sequence byte (as on
   * the wire), or for a payload of 16 MB or more 0xffffff, a zero byte and the length in 8 bytes;
   * then the payload: one length-coded value per column (0xfb = NULL).
   */
  data: Buffer;
  rows: number;
  /** Gives the batch's memory back for the next batch: call once `data` is no longer needed. */
  recycle?: () => void;
}

/** A batch is handed on once it holds this many bytes; it is allocated with room to spare. */
const BATCH_FLUSH = 128 * 1024;
const BATCH_BYTES = 160 * 1024;

/** The slice of mysql2's packet and Query that `streamRaw` relies on. */
interface RowPacket {
  buffer: Buffer;
  start: number;
  offset: number;
  end: number;
  isEOF(): boolean;
}
type RowState = (this: RowStateQuery, packet: RowPacket, connection: unknown) => unknown;
interface RowStateQuery extends NodeJS.EventEmitter {
  row: RowState;
}

/** Why `connection` can take no more statements, or null while it can. */
export function connectionLost(connection: Connection): Error | null {
  const c = connection as unknown as { _fatalError: Error | null; _protocolError: Error | null; stream?: { destroyed?: boolean; writable?: boolean } };
  const known = c._fatalError ?? c._protocolError;
  if (known) return known;
  if (c.stream && (c.stream.destroyed === true || c.stream.writable === false)) {
    return Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
  }
  return null;
}

interface DriverCommand {
  onResult?: (error: Error) => void;
  emit(event: 'error', error: Error): boolean;
}

/**
 * Makes every statement sent on `connection` once it is lost fail at once. mysql2 answers a
 * statement sent on a connection whose socket closed while it was idle (a server killed between
 * two chunks, no error packet) with nothing at all: the command waits forever for a reply. After a
 * fatal error it swaps in a closed-state `addCommand` that reports to the connection, not to the
 * statement, before the caller could listen. Every command goes through `addCommand`, so the guard
 * sits there, and stays in front of whatever mysql2 assigns to it later.
 */
export function failFastWhenLost(connection: Connection): void {
  const c = connection as unknown as { addCommand(cmd: DriverCommand): DriverCommand | undefined };
  let inner = c.addCommand;
  const guarded = (cmd: DriverCommand): DriverCommand | undefined => {
    const lost = connectionLost(connection);
    if (!lost) return inner.call(connection, cmd);
    // After the caller has attached its listeners, as a real failure would arrive.
    process.nextTick(() => (cmd.onResult ? cmd.onResult(lost) : cmd.emit('error', lost)));
    return cmd;
  };
  Object.defineProperty(connection, 'addCommand', {
    configurable: true,
    get: () => guarded,
    set: (fn: typeof inner) => {
      inner = fn;
    },
  });
}

/**
 * mysql2's TLS options for an address: `ssl` (none for plain TCP), and for verify-identity to an IP
 * address the TCP socket too. Node checks the certificate's names during the handshake — before
 * credentials are sent — against the socket's host; for an IP address it would check "localhost"
 * instead (mysql2 passes no host for IPs, and net.Socket records only names), so the socket is
 * made here with the address recorded on it. The one place both connection kinds get TLS from.
 */
export function tlsConnectOptions(address: ServerAddress, keepAlive = true): { ssl?: SslOptions; stream?: () => Socket } {
  const ssl = mysqlSslOptions(address.tls);
  if (!ssl) return {};
  if (address.tls.mode !== 'verify-identity' || address.socketPath || isIP(address.host) === 0) return { ssl };
  return {
    ssl,
    stream: () => {
      const socket = net.connect({ host: address.host, port: address.port });
      (socket as Socket & { _host?: string })._host = address.host;
      socket.setNoDelay(true);
      if (keepAlive) socket.once('connect', () => socket.setKeepAlive(true, 0));
      return socket;
    },
  };
}

/**
 * mysql2 overwrites the code of every TLS handshake error with HANDSHAKE_SSL_ERROR; Node kept the
 * real one (SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID, …) on the TLS socket. Puts it
 * back, so the engine can tell an untrusted certificate from a wrong name.
 */
export function restoreTlsErrorCode(connection: Connection, error: unknown): unknown {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 'HANDSHAKE_SSL_ERROR') return error;
  const e = error as { code: string; cert?: unknown; reason?: unknown };
  const stream = (connection as unknown as { stream: unknown }).stream;
  // A string code at run time, whatever @types/node says.
  const verified = stream instanceof TLSSocket ? (stream as unknown as { authorizationError?: unknown }).authorizationError : undefined;
  if (typeof verified === 'string' && /^[A-Z0-9_]+$/.test(verified)) e.code = verified;
  else if (e.cert !== undefined && e.reason !== undefined) e.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  return e;
}

/**
 * After connecting with verify-identity: the certificate names the host (a second look, should the
 * handshake's check ever be given another name). Throws TLS_FAILED.
 */
export function checkPeerIdentity(connection: Connection, address: ServerAddress, label: string): void {
  if (address.tls.mode !== 'verify-identity' || address.socketPath) return;
  const problem = peerIdentityProblem(connection, address.host);
  if (problem) throw new ParadumpError('TLS_FAILED', `${label}: TLS failed: the server certificate does not match the host name (${problem.message})`, { details: { tls: 'name-mismatch' } });
}

/**
 * Why the certificate the server presented on this TLS connection does not name `host` (DNS name
 * or IP address SAN, as verify-identity checks it), or undefined when it does.
 */
export function peerIdentityProblem(connection: Connection, host: string): Error | undefined {
  const stream = (connection as unknown as { stream: unknown }).stream;
  const cert = stream instanceof TLSSocket ? stream.getPeerCertificate() : null;
  return cert && Object.keys(cert).length > 0 ? checkServerIdentity(host, cert) : new Error('no server certificate');
}

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
      ...tlsConnectOptions(address),
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
    failFastWhenLost(connection);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
      checkPeerIdentity(connection, address, label);
    } catch (error) {
      connection.destroy();
      throw fromDriverError(restoreTlsErrorCode(connection, error), label);
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

  /**
   * Rows as the server sent them, in batches — the encoder's input (see RowBatch for the layout).
   * No Buffer per value, no array or event per row: mysql2's per-row parse is bypassed by taking over
   * the query's row state, which copies runs of row packets, as they lie in the socket's reads, into
   * ~128 KB batches. Streams with backpressure: the socket is paused while the consumer is behind.
   */
  streamRaw(sql: string): { stream: Readable; fields: Promise<FieldPacket[]> } {
    const connection = this.connection;
    const query = connection.query({ sql, rowsAsArray: true, typeCast: false }) as unknown as RowStateQuery;
    const fields = new Promise<FieldPacket[]>((resolve, reject) => {
      query.once('fields', (f: FieldPacket[]) => resolve(f));
      query.once('error', reject);
      query.once('end', () => resolve([]));
    });
    fields.catch(() => undefined);

    // Backpressure pauses the socket, not the connection: mysql2's pause() would copy every packet
    // left in the current socket read into a queue of its own. The rest of that read (at most 64 KB)
    // still arrives, synchronously, and goes into the batches.
    const socket = (connection as unknown as { stream: NodeJS.ReadableStream }).stream;
    // Batch buffers come back (RowBatch.recycle) once the consumer has copied them: no fresh
    // ArrayBuffer per batch, so no GC driven by external memory.
    const spare: Buffer[] = [];
    const fresh = () => spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
    let batch = fresh();
    let used = 0;
    let rows = 0;
    // Consecutive row packets usually lie back to back in one socket chunk: they are copied as one run.
    let runBuffer: Buffer | null = null;
    let runStart = 0;
    let runEnd = 0;
    const stream = new Readable({
      objectMode: true,
      // In batches (~BATCH_FLUSH bytes each): enough to keep the encoder busy, little memory.
      highWaterMark: 4,
      read: () => socket.resume(),
      destroy: (error, done) => {
        runBuffer = null;
        socket.resume();
        done(error);
      },
    });
    const closeRun = () => {
      if (!runBuffer) return;
      used += runBuffer.copy(batch, used, runStart, runEnd);
      runBuffer = null;
    };
    const flush = () => {
      closeRun();
      if (rows === 0) return;
      const full = batch;
      let recycled = false;
      const recycle = () => {
        if (recycled || full.length !== BATCH_BYTES || spare.length >= 8) return;
        recycled = true;
        spare.push(full);
      };
      const out: RowBatch = { data: full.subarray(0, used), rows, recycle };
      batch = fresh();
      used = 0;
      rows = 0;
      if (!stream.push(out)) socket.pause();
    };

    // mysql2 calls the query's current state with each packet; after the column definitions that
    // state is `this.row` (an own property wins over the prototype's), and each call returns the next.
    const parentRow = Object.getPrototypeOf(query).row as RowState;
    if (typeof parentRow !== 'function') throw new TypeError('mysql2 Query has no row state: unsupported mysql2 version');
    const row: RowState = function (this: RowStateQuery, packet, conn) {
      // EOF (end of rows, or of one result set of several) is the driver's business.
      if (packet.isEOF()) {
        flush();
        return parentRow.call(this, packet, conn);
      }
      if (stream.destroyed) return row;
      const { buffer, start, offset, end } = packet;
      const payload = end - offset;
      // A packet as it came off the wire: its 4-byte header holds its length (the parser reuses the
      // packet object, not the chunk, so a reference to the chunk stays valid).
      const wire = offset - start === 4 && payload < 0xffffff && (buffer[start]! | (buffer[start + 1]! << 8) | (buffer[start + 2]! << 16)) === payload;
      const size = wire ? end - start : payload + (payload < 0xffffff ? 4 : 12);
      if (used + (runBuffer ? runEnd - runStart : 0) + size > batch.length) {
        flush();
        if (size > batch.length) batch = Buffer.allocUnsafe(size);
      }
      if (wire) {
        if (runBuffer === buffer && runEnd === start) {
          runEnd = end;
        } else {
          closeRun();
          runBuffer = buffer;
          runStart = start;
          runEnd = end;
        }
      } else {
        // Reassembled (split across chunks, or over 16 MB): copied now, behind a header of our own.
        closeRun();
        if (payload < 0xffffff) {
          batch.writeUIntLE(payload, used, 3);
          batch[used + 3] = 0;
          used += 4;
        } else {
          batch.writeUIntLE(0xffffff, used, 3);
          batch[used + 3] = 0;
          batch.writeUInt32LE(payload % 2 ** 32, used + 4);
          batch.writeUInt32LE(Math.floor(payload / 2 ** 32), used + 8);
          used += 12;
        }
        used += buffer.copy(batch, used, offset, end);
      }
      rows++;
      if (used + (runBuffer ? runEnd - runStart : 0) >= BATCH_FLUSH) flush();
      return row;
    };
    query.row = row;
    query.once('end', () => {
      if (!stream.destroyed) {
        flush();
        stream.push(null);
      }
      // The rows are all in: whatever follows on the socket is the next command's reply.
      socket.resume();
    });

    // mysql2 reports a lost connection only to the connection, not to a callback-less query: without
    // this the stream would wait forever — or worse, a caller could mistake the silence for the end.
    const lost = (error?: unknown) => {
      if (!stream.destroyed && !stream.readableEnded) {
        stream.destroy(fromDriverError(error ?? Object.assign(new Error('connection closed'), { code: 'PROTOCOL_CONNECTION_LOST' }), 'reading rows'));
      }
    };
    connection.once('error', lost);
    connection.once('end', lost);
    // A lost connection reads as CONNECTION_LOST, whichever way mysql2 reports it.
    query.once('error', (error: unknown) => ((error as { fatal?: boolean }).fatal ? lost(error) : stream.destroy(error as Error)));
    stream.once('close', () => {
      connection.off('error', lost);
      connection.off('end', lost);
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

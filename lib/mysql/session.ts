import mysql from 'mysql2';
import type { Connection, FieldPacket, RowDataPacket, SslOptions } from 'mysql2';
import net, { isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { checkServerIdentity, TLSSocket } from 'node:tls';
import { ParadumpError } from '../core/errors.ts';
import type { RawRow } from '../core/row-batch.ts';
import { connectLendingReads } from './connect-lending-reads.ts';
import { fromDriverError } from './driver-error.ts';
import { endConnection } from './end-connection.ts';
import { flavorSql, parseServerVersion, type FlavorSql, type ServerFlavor } from './flavor.ts';
import { streamRawRows } from './stream-raw.ts';
import { mysqlSslOptions } from './tls.ts';
import type { ServerAddress } from './uri.ts';

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

/** The socket a Session connects with: TLS as configured, else one whose reads the row reader can borrow. */
function connectOptions(address: ServerAddress): { ssl?: SslOptions; stream?: () => Socket } {
  const tls = tlsConnectOptions(address);
  return tls.ssl ? tls : { stream: () => connectLendingReads(address) };
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
      ...connectOptions(address),
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

  /** Rows as the server sent them, in batches: the encoder's input (see `streamRawRows`). */
  streamRaw(sql: string): { stream: Readable; fields: Promise<FieldPacket[]> } {
    return streamRawRows(this.connection, sql);
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
    await endConnection(this.connection);
  }

  destroy(): void {
    this.closed = true;
    this.connection.destroy();
  }
}

/** Quotes a string literal for statements the engine builds itself (metadata queries). */
export function quoteString(value: string): string {
  return mysql.escape(value);
}

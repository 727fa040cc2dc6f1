import type { Connection, FieldPacket } from 'mysql2';
import net, { type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { RowBatch } from '../core/row-batch.ts';
import { fromDriverError } from './driver-error.ts';
import type { ServerAddress } from './uri.ts';

/** A batch is handed on once it holds this many bytes; it is allocated with room to spare. */
const BATCH_FLUSH = 128 * 1024;
const BATCH_BYTES = 160 * 1024;
/** mysql2's packet header: 3 bytes of payload length, 1 sequence byte. */
const HEADER = 4;
/** A payload of this length continues in the next packet (a value of 16 MB or more). */
const LONG_PACKET = 0xffffff;

/** The slice of mysql2's packet and Query that the reader relies on. */
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
  /** The state mysql2 calls with the next packet (Command#next). */
  next: unknown;
}

/** mysql2's packet parser: fed socket reads, it calls the connection with each whole packet. */
interface PacketParser {
  execute(chunk: Buffer): void;
  largePacketParts?: unknown[];
}

/** The connection's internals the reader takes over while a result's rows stream. */
export interface DriverConnection {
  packetParser: PacketParser;
  /** The sequence number mysql2 expects on the next packet (it warns on others and counts on). */
  sequenceId: number;
  stream: NodeJS.ReadableStream;
  config: { compress?: boolean; debug?: boolean };
}

/** Bytes per socket read into the reused buffer of `connectLendingReads`. */
const READ_BYTES = 128 * 1024;

/** A socket from `connectLendingReads`: `lendReads` says whether a read may be passed on uncopied. */
interface LendingSocket extends Socket {
  lendReads?: boolean;
}

/**
 * A plain TCP (or Unix) socket for mysql2 that reads into one buffer, reused read after read. Node
 * otherwise allocates a new 64 KB buffer for every read, and their external memory sets off full
 * garbage collections (docs/benchmarks.md, "Measurements behind the code"). A read is passed
 * on as a view of that buffer only while `streamRawRows` is taking the reads, which copies whatever
 * it keeps before the next read; at any other time mysql2 gets a copy, as it keeps slices of reads
 * (values, column definitions, parts of a long packet). Not for TLS: the TLS socket reads for itself.
 */
export function connectLendingReads(address: Pick<ServerAddress, 'host' | 'port' | 'socketPath'>): Socket {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  const onread = {
    buffer,
    callback: (n: number, into: Uint8Array): boolean => {
      const read = Buffer.from(into.buffer, into.byteOffset, n);
      socket.emit('data', socket.lendReads === true ? read : Buffer.from(read));
      return true; // false would pause; backpressure pauses the socket itself
    },
  };
  const socket: LendingSocket = address.socketPath ? net.connect({ path: address.socketPath, onread }) : net.connect({ host: address.host, port: address.port, onread });
  if (!address.socketPath) {
    socket.setNoDelay(true);
    // Keep-alive so a stalled network is noticed instead of hanging a worker forever.
    socket.once('connect', () => socket.setKeepAlive(true, 0));
  }
  return socket;
}

/**
 * Whether the connection's parser is between packets, with nothing of its own held back: only then
 * can whole packets be handed to it from outside. Anything else (compression, debug output, a
 * parser of another mysql2 version) keeps the driver's own path.
 */
export function canTakeOver(driver: DriverConnection): boolean {
  const parser = driver.packetParser as PacketParser & { executeStart?: unknown };
  const proto = Object.getPrototypeOf(parser) as { executeStart?: unknown };
  return (
    typeof proto.executeStart === 'function' &&
    parser.execute === proto.executeStart &&
    Array.isArray(parser.largePacketParts) &&
    parser.largePacketParts.length === 0 &&
    driver.config.compress !== true &&
    driver.config.debug !== true &&
    typeof driver.sequenceId === 'number'
  );
}

/**
 * Rows of one query as the server sent them, in ~128 KB batches (see RowBatch): the encoder's input.
 * Streams with backpressure: the socket is paused while the consumer is behind.
 *
 * mysql2 makes an object, a call chain and a sequence check per packet: for the millions of small
 * rows of a dump that was a large share of the process's CPU (docs/benchmarks.md). So while the
 * query is in its rows, the socket's reads come here first (the connection's `packetParser` is swapped for the duration):
 * row packets are found by their headers and copied into the batch in runs, as they lie in the
 * read; everything else — the column definitions before, the EOF or error after, a value over 16
 * MB — goes to mysql2's parser as whole packets, so the driver's state is always its own. A packet
 * cut by the end of a read is completed here from the next, never handed over in halves.
 */
export function streamRawRows(connection: Connection, sql: string): { stream: Readable; fields: Promise<FieldPacket[]> } {
  const driver = connection as unknown as DriverConnection;
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
  const socket = driver.stream;
  const lending = socket as unknown as LendingSocket;
  // Batch buffers come back (RowBatch.recycle) once the consumer has copied them: no fresh
  // ArrayBuffer per batch, so no GC driven by external memory.
  const spare: Buffer[] = [];
  const fresh = () => spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
  let batch = fresh();
  let used = 0;
  let rows = 0;
  // Consecutive row packets usually lie back to back in one socket read: they are copied as one run,
  // at the latest when the read has been gone through.
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
  /** Makes room in the batch for `size` more bytes: hands the batch on when full, grows it for a huge row. */
  const makeRoom = (size: number) => {
    if (used + (runBuffer ? runEnd - runStart : 0) + size <= batch.length) return;
    flush();
    if (size > batch.length) batch = Buffer.allocUnsafe(size);
  };
  /** One row packet, header included, exactly as on the wire (`buffer[start, end)`). */
  const addWirePacket = (buffer: Buffer, start: number, end: number) => {
    makeRoom(end - start);
    if (runBuffer === buffer && runEnd === start) {
      runEnd = end;
    } else {
      closeRun();
      runBuffer = buffer;
      runStart = start;
      runEnd = end;
    }
    rows++;
    if (used + (runEnd - runStart) >= BATCH_FLUSH) flush();
  };

  // mysql2 calls the query's current state with each packet it parses; after the column definitions
  // that state is `this.row` (an own property wins over the prototype's), and each call returns the
  // next. Rows reach it only when the reads are not taken over, or for a value over 16 MB.
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
    // A packet as it came in: its 4-byte header holds its length (the parser reuses the packet
    // object, not the read, so a reference to the read stays valid).
    if (offset - start === HEADER && payload < LONG_PACKET && (buffer[start]! | (buffer[start + 1]! << 8) | (buffer[start + 2]! << 16)) === payload) {
      addWirePacket(buffer, start, end);
      return row;
    }
    // Reassembled by the driver (over 16 MB): copied now, behind a header of our own.
    makeRoom(payload + (payload < LONG_PACKET ? 4 : 12));
    closeRun();
    if (payload < LONG_PACKET) {
      batch.writeUIntLE(payload, used, 3);
      batch[used + 3] = 0;
      used += 4;
    } else {
      batch.writeUIntLE(LONG_PACKET, used, 3);
      batch[used + 3] = 0;
      batch.writeUInt32LE(payload % 2 ** 32, used + 4);
      batch.writeUInt32LE(Math.floor(payload / 2 ** 32), used + 8);
      used += 12;
    }
    used += buffer.copy(batch, used, offset, end);
    rows++;
    if (used >= BATCH_FLUSH) flush();
    return row;
  };
  query.row = row;

  // --- Taking over the socket's reads while rows arrive.
  const parser = driver.packetParser;
  /** A packet cut by the end of a read: its first `carried` bytes. */
  let carry: Buffer | null = null;
  let carried = 0;
  /** Inside a packet sequence of a value over 16 MB: the parser reassembles those. */
  let longPacket = false;
  const takeRead = (chunk: Buffer): void => {
    let pos = 0;
    const end = chunk.length;
    if (carried > 0) {
      pos = completeCarried(chunk);
      if (carried > 0) return;
    }
    while (pos < end) {
      // The query ended on a packet of this read: the rest is mysql2's again.
      if (driver.packetParser !== reader) {
        parser.execute(Buffer.from(chunk.subarray(pos)));
        return;
      }
      if (end - pos < HEADER) break;
      const length = chunk[pos]! | (chunk[pos + 1]! << 8) | (chunk[pos + 2]! << 16);
      const next = pos + HEADER + length;
      if (next > end) break;
      onePacket(chunk, pos, next, length);
      pos = next;
    }
    if (pos < end) keep(chunk, pos, end);
    // The read may be a lent buffer, overwritten by the next read (`connectLendingReads`).
    closeRun();
  };
  const reader: PacketParser = { execute: takeRead };
  /**
   * Whether a whole packet is a row to take here: the query is in its rows, the first byte is
   * neither 0xfe (EOF) nor 0xff (error), and the sequence number is the one mysql2 expects.
   */
  const takesRow = (buffer: Buffer, start: number, length: number): boolean => {
    const first = buffer[start + HEADER];
    return !longPacket && length > 0 && length < LONG_PACKET && query.next === row && first !== 0xfe && first !== 0xff && buffer[start + 3] === driver.sequenceId;
  };
  /** One whole packet: taken, or handed to mysql2's parser after the rows before it (order kept). */
  const onePacket = (buffer: Buffer, start: number, end: number, length: number): void => {
    if (takesRow(buffer, start, length)) {
      driver.sequenceId = (driver.sequenceId + 1) & 0xff;
      if (!stream.destroyed) addWirePacket(buffer, start, end);
      return;
    }
    closeRun();
    longPacket = length === LONG_PACKET;
    // mysql2 keeps slices of what it parses, and the read may be lent: it gets a copy.
    parser.execute(Buffer.from(buffer.subarray(start, end)));
  };
  const keep = (chunk: Buffer, from: number, to: number) => {
    const n = to - from;
    if (!carry || carry.length < n) carry = Buffer.allocUnsafe(Math.max(n, 64 * 1024));
    chunk.copy(carry, 0, from, to);
    carried = n;
  };
  /** Completes the carried packet with the start of `chunk`; returns how many bytes of it were used. */
  const completeCarried = (chunk: Buffer): number => {
    let pos = 0;
    if (carried < HEADER) {
      pos = Math.min(HEADER - carried, chunk.length);
      chunk.copy(carry!, carried, 0, pos);
      carried += pos;
      if (carried < HEADER) return pos;
    }
    const length = carry![0]! | (carry![1]! << 8) | (carry![2]! << 16);
    const total = HEADER + length;
    if (carry!.length < total) {
      const grown = Buffer.allocUnsafe(Math.max(total, carry!.length * 2));
      carry!.copy(grown, 0, 0, carried);
      carry = grown;
    }
    const take = Math.min(total - carried, chunk.length - pos);
    chunk.copy(carry!, carried, pos, pos + take);
    carried += take;
    pos += take;
    if (carried < total) return pos;
    carried = 0;
    // The carry buffer is refilled by the next cut packet: the run is copied out at once.
    onePacket(carry!, 0, total, length);
    closeRun();
    return pos;
  };
  /** Puts mysql2's parser back, with any cut packet still held here. */
  const giveBack = () => {
    if (driver.packetParser !== reader) return;
    driver.packetParser = parser;
    lending.lendReads = false;
    if (carried > 0) {
      const rest = Buffer.from(carry!.subarray(0, carried));
      carried = 0;
      parser.execute(rest);
    }
    carry = null;
  };
  if (canTakeOver(driver)) {
    driver.packetParser = reader;
    lending.lendReads = true;
  }

  query.once('end', () => {
    giveBack();
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
    giveBack();
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

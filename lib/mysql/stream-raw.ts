import type { Connection, FieldPacket } from 'mysql2';
import { Readable } from 'node:stream';
import { fromDriverError } from './driver-error.ts';
import { canTakeOver, HEADER, LONG_PACKET, type DriverConnection, type RowState, type RowStateQuery } from './mysql2-internals.ts';
import { RowBatcher } from './row-batcher.ts';
import { RowPacketScanner } from './row-packet-scanner.ts';

/**
 * Rows of one query as the server sent them, in ~128 KB batches (see RowBatch): the encoder's input.
 * Streams with backpressure: the socket is paused while the consumer is behind.
 *
 * mysql2 makes an object, a call chain and a sequence check per packet: for the millions of small
 * rows of a dump that was a large share of the process's CPU (docs/benchmarks.md). So while the
 * query is in its rows, the socket's reads come to a RowPacketScanner first (the connection's
 * `packetParser` is swapped for the duration), which copies row packets into a RowBatcher as they
 * lie in the read and hands every other packet to mysql2 whole. Without the takeover (compression,
 * debug output, another mysql2 version) the rows come through the query's row state, into the same
 * batcher.
 */
export function streamRawRows(connection: Connection, sql: string): { stream: Readable; fields: Promise<FieldPacket[]> } {
  const driver = connection as unknown as DriverConnection;
  const query = connection.query({ sql, rowsAsArray: true, typeCast: false }) as unknown as RowStateQuery;
  const fields = fieldsOf(query);
  // Backpressure pauses the socket, not the connection: mysql2's pause() would copy every packet
  // left in the current socket read into a queue of its own. The rest of that read (at most 64 KB)
  // still arrives, synchronously, and goes into the batches.
  const socket = driver.stream;
  const stream = new Readable({
    objectMode: true,
    // In batches (~128 KB each): enough to keep the encoder busy, little memory.
    highWaterMark: 4,
    read: () => socket.resume(),
    destroy: (error, done) => {
      batcher.dropRun();
      socket.resume();
      done(error);
    },
  });
  const batcher = new RowBatcher((batch) => {
    if (!stream.push(batch)) socket.pause();
  });
  const row = rowState(query, stream, batcher);
  query.row = row;
  const scanner = new RowPacketScanner({ driver, query, row, batcher, out: stream });
  if (canTakeOver(driver)) scanner.takeOver();
  endWithQuery({ connection, query, stream, batcher, scanner });
  return { stream, fields };
}

/** The query's column definitions; none for a statement without a result set. */
function fieldsOf(query: RowStateQuery): Promise<FieldPacket[]> {
  const fields = new Promise<FieldPacket[]>((resolve, reject) => {
    query.once('fields', (f: FieldPacket[]) => resolve(f));
    query.once('error', reject);
    query.once('end', () => resolve([]));
  });
  fields.catch(() => undefined);
  return fields;
}

/**
 * The query's row state, adding each row to the batcher instead of decoding it. mysql2 calls the
 * query's current state with each packet it parses; after the column definitions that state is
 * `this.row` (an own property wins over the prototype's), and each call returns the next. Rows reach
 * it only when the reads are not taken over, or for a value over 16 MB.
 */
function rowState(query: RowStateQuery, stream: Readable, batcher: RowBatcher): RowState {
  const parentRow = Object.getPrototypeOf(query).row as RowState;
  if (typeof parentRow !== 'function') throw new TypeError('mysql2 Query has no row state: unsupported mysql2 version');
  const row: RowState = function (this: RowStateQuery, packet, conn) {
    // EOF (end of rows, or of one result set of several) is the driver's business.
    if (packet.isEOF()) {
      batcher.flush();
      return parentRow.call(this, packet, conn);
    }
    if (stream.destroyed) return row;
    const { buffer, start, offset, end } = packet;
    const payload = end - offset;
    // A packet as it came in: its 4-byte header holds its length (the parser reuses the packet
    // object, not the read, so a reference to the read stays valid).
    if (offset - start === HEADER && payload < LONG_PACKET && (buffer[start]! | (buffer[start + 1]! << 8) | (buffer[start + 2]! << 16)) === payload) {
      batcher.addWirePacket(buffer, start, end);
    } else {
      batcher.addPayload(buffer, offset, end);
    }
    return row;
  };
  return row;
}

/** Ends the stream with the query: at its end, or with its error as a ParadumpError. */
function endWithQuery(options: { connection: Connection; query: RowStateQuery; stream: Readable; batcher: RowBatcher; scanner: RowPacketScanner }): void {
  const { connection, query, stream, batcher, scanner } = options;
  const socket = (connection as unknown as DriverConnection).stream;
  query.once('end', () => {
    scanner.giveBack();
    if (!stream.destroyed) {
      batcher.flush();
      stream.push(null);
    }
    // The rows are all in: whatever follows on the socket is the next command's reply.
    socket.resume();
  });
  // mysql2 reports a lost connection only to the connection, not to a callback-less query: without
  // this the stream would wait forever — or worse, a caller could mistake the silence for the end.
  const lost = (error?: unknown) => {
    scanner.giveBack();
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
}

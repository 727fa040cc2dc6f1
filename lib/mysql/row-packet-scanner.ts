import type { Readable } from 'node:stream';
import type { LendingSocket } from './connect-lending-reads.ts';
import { HEADER, LONG_PACKET, type DriverConnection, type PacketParser, type RowState, type RowStateQuery } from './mysql2-internals.ts';
import type { RowBatcher } from './row-batcher.ts';

/**
 * Stands in for mysql2's packet parser while a query is in its rows (`takeOver` … `giveBack`): it
 * finds row packets by their headers in each socket read and adds them to the batcher as they lie
 * in the read; every other packet — the column definitions before, the EOF or error after, the
 * packets of a value over 16 MB — goes to mysql2's parser whole, so the driver's state is always its
 * own. A packet cut by the end of a read is completed here from the next, never handed over in halves.
 */
export class RowPacketScanner implements PacketParser {
  private readonly driver: DriverConnection;
  /** mysql2's own parser, put back by `giveBack`. */
  private readonly parser: PacketParser;
  private readonly query: RowStateQuery;
  /** The query's row state: while it is the query's next, the query is in its rows. */
  private readonly row: RowState;
  private readonly batcher: RowBatcher;
  /** The stream the rows go to: once destroyed, rows are counted but not kept. */
  private readonly out: Readable;
  /** A packet cut by the end of a read: its first `carried` bytes. */
  private carry: Buffer | null = null;
  private carried = 0;
  /** Inside a packet sequence of a value over 16 MB: the parser reassembles those. */
  private longPacket = false;

  constructor(options: { driver: DriverConnection; query: RowStateQuery; row: RowState; batcher: RowBatcher; out: Readable }) {
    this.driver = options.driver;
    this.parser = options.driver.packetParser;
    this.query = options.query;
    this.row = options.row;
    this.batcher = options.batcher;
    this.out = options.out;
  }

  /** Takes the socket's reads from mysql2's parser; they may be lent, as all is copied before the next. */
  takeOver(): void {
    this.driver.packetParser = this;
    (this.driver.stream as unknown as LendingSocket).lendReads = true;
  }

  /** Puts mysql2's parser back, with any cut packet still held here. */
  giveBack(): void {
    if (this.driver.packetParser !== this) return;
    this.driver.packetParser = this.parser;
    (this.driver.stream as unknown as LendingSocket).lendReads = false;
    if (this.carried > 0) {
      const rest = Buffer.from(this.carry!.subarray(0, this.carried));
      this.carried = 0;
      this.parser.execute(rest);
    }
    this.carry = null;
  }

  /** One socket read (mysql2 calls its parser's `execute` with each). */
  execute(chunk: Buffer): void {
    let pos = 0;
    const end = chunk.length;
    if (this.carried > 0) {
      pos = this.completeCarried(chunk);
      if (this.carried > 0) return;
    }
    while (pos < end) {
      // The query ended on a packet of this read: the rest is mysql2's again.
      if (this.driver.packetParser !== this) {
        this.parser.execute(Buffer.from(chunk.subarray(pos)));
        return;
      }
      if (end - pos < HEADER) break;
      const length = chunk[pos]! | (chunk[pos + 1]! << 8) | (chunk[pos + 2]! << 16);
      const next = pos + HEADER + length;
      if (next > end) break;
      this.onePacket(chunk, pos, next, length);
      pos = next;
    }
    if (pos < end) this.keep(chunk, pos, end);
    // The read may be a lent buffer, overwritten by the next read (`connectLendingReads`).
    this.batcher.closeRun();
  }

  /**
   * Whether a whole packet is a row to take here: the query is in its rows, the first byte is
   * neither 0xfe (EOF) nor 0xff (error), and the sequence number is the one mysql2 expects.
   */
  private takesRow(buffer: Buffer, start: number, length: number): boolean {
    const first = buffer[start + HEADER];
    return !this.longPacket && length > 0 && length < LONG_PACKET && this.query.next === this.row && first !== 0xfe && first !== 0xff && buffer[start + 3] === this.driver.sequenceId;
  }

  /** One whole packet: taken, or handed to mysql2's parser after the rows before it (order kept). */
  private onePacket(buffer: Buffer, start: number, end: number, length: number): void {
    if (this.takesRow(buffer, start, length)) {
      this.driver.sequenceId = (this.driver.sequenceId + 1) & 0xff;
      if (!this.out.destroyed) this.batcher.addWirePacket(buffer, start, end);
      return;
    }
    this.batcher.closeRun();
    this.longPacket = length === LONG_PACKET;
    // mysql2 keeps slices of what it parses, and the read may be lent: it gets a copy.
    this.parser.execute(Buffer.from(buffer.subarray(start, end)));
  }

  /** Holds the start of a packet cut by the end of the read, to be completed by the next. */
  private keep(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (!this.carry || this.carry.length < n) this.carry = Buffer.allocUnsafe(Math.max(n, 64 * 1024));
    chunk.copy(this.carry, 0, from, to);
    this.carried = n;
  }

  /** Completes the carried packet with the start of `chunk`; returns how many bytes of it were used. */
  private completeCarried(chunk: Buffer): number {
    let carry = this.carry!;
    let pos = 0;
    if (this.carried < HEADER) {
      pos = Math.min(HEADER - this.carried, chunk.length);
      chunk.copy(carry, this.carried, 0, pos);
      this.carried += pos;
      if (this.carried < HEADER) return pos;
    }
    const length = carry[0]! | (carry[1]! << 8) | (carry[2]! << 16);
    const total = HEADER + length;
    if (carry.length < total) {
      const grown = Buffer.allocUnsafe(Math.max(total, carry.length * 2));
      carry.copy(grown, 0, 0, this.carried);
      this.carry = carry = grown;
    }
    const take = Math.min(total - this.carried, chunk.length - pos);
    chunk.copy(carry, this.carried, pos, pos + take);
    this.carried += take;
    pos += take;
    if (this.carried < total) return pos;
    this.carried = 0;
    // The carry buffer is refilled by the next cut packet: the run is copied out at once.
    this.onePacket(carry, 0, total, length);
    this.batcher.closeRun();
    return pos;
  }
}

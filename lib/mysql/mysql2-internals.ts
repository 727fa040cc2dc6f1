// The slice of mysql2's private state the raw row reader (stream-raw.ts) takes over, typed once.
// mysql2 is pinned to the version these match; mysql2-internals.test.ts fails when they change.

/** The wire's packet header: 3 bytes of payload length, 1 sequence byte. */
export const HEADER = 4;
/** A payload of this length continues in the next packet (a value of 16 MB or more). */
export const LONG_PACKET = 0xffffff;

/** mysql2's packet, as its parser hands it to the query's current state. */
export interface RowPacket {
  buffer: Buffer;
  start: number;
  offset: number;
  end: number;
  isEOF(): boolean;
}
/** A state of mysql2's Query: called with each packet, it returns the state for the next. */
export type RowState = (this: RowStateQuery, packet: RowPacket, connection: unknown) => unknown;
export interface RowStateQuery extends NodeJS.EventEmitter {
  row: RowState;
  /** The state mysql2 calls with the next packet (Command#next). */
  next: unknown;
}

/** mysql2's packet parser: fed socket reads, it calls the connection with each whole packet. */
export interface PacketParser {
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

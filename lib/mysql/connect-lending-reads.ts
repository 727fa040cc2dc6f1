import net, { type Socket } from 'node:net';
import type { ServerAddress } from './uri.ts';

/** Bytes per socket read into the reused buffer of `connectLendingReads`. */
const READ_BYTES = 128 * 1024;

/** A socket from `connectLendingReads`: `lendReads` says whether a read may be passed on uncopied. */
export interface LendingSocket extends Socket {
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

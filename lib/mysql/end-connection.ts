import type { Connection } from 'mysql2';

/** How long a polite QUIT may take before the socket is dropped (a server that stopped answering). */
const END_TIMEOUT_MS = 2_000;

/**
 * Ends a connection politely (COM_QUIT, so the server logs no aborted connection), or destroys it
 * when the server does not answer in time. Never rejects: closing is clean-up, and a connection
 * already lost ends at once. The source's `Session` and the restore's `TargetConnection` both close
 * through this.
 */
export function endConnection(connection: Connection): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      connection.destroy();
      resolve();
    }, END_TIMEOUT_MS);
    connection.end(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

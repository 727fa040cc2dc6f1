import { Session } from './session.ts';
import type { ServerAddress } from './uri.ts';

/**
 * A connection set up to read rows the way the dump encodes them. The dump's workers and verify's
 * readers both use it, so a chunk's content hash means the same on the source and on a target.
 * - character_set_results NULL: raw column bytes, written back in their own charset;
 * - UTC: TIMESTAMP values read the same whatever the server's zone;
 * - long net timeouts: a slow disk pauses reading (backpressure) and the server must wait for us.
 */
export async function openReader(address: ServerAddress, label = 'opening a reader connection'): Promise<Session> {
  const s = await Session.open(address, { label });
  await s.exec('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await s.exec("SET SESSION character_set_results = NULL, time_zone = '+00:00', sql_mode = '', net_write_timeout = 3600, net_read_timeout = 3600, wait_timeout = 86400");
  await s.exec(s.flavor.kind === 'mariadb' ? 'SET SESSION max_statement_time = 0' : 'SET SESSION max_execution_time = 0');
  return s;
}

import type { ConnectionTls } from '../mysql/tls.ts';
import { ParadumpError } from '../core/errors.ts';
import { quoteId } from '../core/sql-names.ts';
import { Session } from '../mysql/session.ts';
import { parseServerUri, type ServerAddress } from '../mysql/uri.ts';
import { serverAddress } from '../runs/servers.ts';
import { startThrowawayServer } from '../sandbox/throwaway-server.ts';
import type { DrillTargetChoice } from './drill-schema.ts';
import type { DrillTarget } from './drill-store.ts';

/** Where a drill restores: connection details for this process only, and how to let it go. */
export interface OpenTarget {
  uri: string;
  tls: ConnectionTls | undefined;
  address: ServerAddress;
  record: DrillTarget;
  /** Stops the throwaway server by its PID (and removes its temp dir); nothing for a saved server. */
  release(): Promise<void>;
}

/** A saved scratch server, or a MariaDB started now in a temp dir for this drill only. */
export async function openDrillTarget({ choice }: { choice: DrillTargetChoice }): Promise<OpenTarget> {
  if (choice.kind === 'server') {
    const { server, address, uri } = await serverAddress({ id: choice.serverId });
    return { uri, tls: address.tls, address, record: { kind: 'server', serverId: server.id, serverName: server.name, port: server.port, pid: null }, release: async () => undefined };
  }
  const started = await startThrowawayServer({ serverId: 1 });
  return {
    uri: started.uri,
    tls: undefined,
    address: parseServerUri(started.uri),
    record: { kind: 'throwaway', serverId: null, serverName: null, port: started.port, pid: started.pid },
    release: () => started.stop(),
  };
}

/**
 * Refuses a target that already holds a database of one of these names: a drill only ever creates
 * databases and drops the ones it created, so it must not start where its names are taken.
 */
export async function refuseTakenNames({ address, names }: { address: ServerAddress; names: string[] }): Promise<void> {
  const session = await Session.open(address, { label: 'connecting to the drill target' });
  try {
    const rows = await session.query<{ name: string }>(`SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${names.map(() => '?').join(', ')})`, names);
    if (rows.length > 0) {
      const taken = rows.map((r) => r.name).sort();
      throw new ParadumpError('TARGET_EXISTS', `the drill target already has database${taken.length > 1 ? 's' : ''} ${taken.join(', ')}; a drill only restores under names nobody uses (change the prefix, or drop them yourself): nothing was changed`, {
        details: { reason: 'TARGET_EXISTS', databases: taken },
      });
    }
  } finally {
    await session.close();
  }
}

/** Drops the databases the drill created (and only those). Resolves with the names it could not drop, and why. */
export async function dropDrillDatabases({ address, names }: { address: ServerAddress; names: string[] }): Promise<string[]> {
  if (names.length === 0) return [];
  const left: string[] = [];
  let session: Session;
  try {
    session = await Session.open(address, { label: 'connecting to the drill target to clean up' });
  } catch (error) {
    return names.map((n) => `${n} (${(error as Error).message})`);
  }
  try {
    for (const name of names) {
      try {
        await session.exec(`DROP DATABASE IF EXISTS ${quoteId(name)}`);
      } catch (error) {
        left.push(`${name} (${(error as Error).message})`);
      }
    }
  } finally {
    await session.close();
  }
  return left;
}

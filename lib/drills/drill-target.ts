import type { ConnectionTls } from '../mysql/tls.ts';
import { ParadumpError } from '../core/errors.ts';
import { quoteId } from '../core/sql-names.ts';
import { Session } from '../mysql/session.ts';
import { parseServerUri, type ServerAddress } from '../mysql/uri.ts';
import { forgetProgress } from '../restore/pitr-progress.ts';
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

/** The database where a roll forward keeps its progress (lib/restore/pitr-progress.ts). */
const RECOVERY_DATABASE = 'paradump_recovery';

/** A saved scratch server, or a MariaDB started now in a temp dir for this drill only. */
export async function openDrillTarget({ choice }: { choice: DrillTargetChoice }): Promise<OpenTarget> {
  if (choice.kind === 'server') {
    const { server, address, uri } = await serverAddress({ id: choice.serverId });
    return { uri, tls: address.tls, address, record: { kind: 'server', serverId: server.id, serverName: server.name, port: server.port, pid: null, newRecoveryDatabase: false }, release: async () => undefined };
  }
  // Not the usual server_id 1: the roll forward replays the source's events, which carry its id.
  const started = await startThrowawayServer({ serverId: 1_000_000 + Math.floor(Math.random() * 1_000_000) });
  return {
    uri: started.uri,
    tls: undefined,
    address: parseServerUri(started.uri),
    record: { kind: 'throwaway', serverId: null, serverName: null, port: started.port, pid: started.pid, newRecoveryDatabase: false },
    release: () => started.stop(),
  };
}

/**
 * Refuses a target that already holds a database of one of these names: a drill only ever creates
 * databases and drops the ones it created, so it must not start where its names are taken. Resolves
 * with whether the target has the roll forward's bookkeeping database already.
 */
export async function refuseTakenNames({ address, names }: { address: ServerAddress; names: string[] }): Promise<{ hasRecoveryDatabase: boolean }> {
  const session = await Session.open(address, { label: 'connecting to the drill target' });
  try {
    const found = await session.query<{ name: string }>(`SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${[...names, RECOVERY_DATABASE].map(() => '?').join(', ')})`, [...names, RECOVERY_DATABASE]);
    const rows = found.filter((r) => names.includes(r.name));
    if (rows.length > 0) {
      const taken = rows.map((r) => r.name).sort();
      throw new ParadumpError('TARGET_EXISTS', `the drill target already has database${taken.length > 1 ? 's' : ''} ${taken.join(', ')}; a drill only restores under names nobody uses (change the prefix, or drop them yourself): nothing was changed`, {
        details: { reason: 'TARGET_EXISTS', databases: taken },
      });
    }
    return { hasRecoveryDatabase: found.some((r) => r.name === RECOVERY_DATABASE) };
  } finally {
    await session.close();
  }
}

/**
 * Drops the databases the drill created (and only those), and forgets the roll forward's progress
 * row of those names; `paradump_recovery` itself is dropped only when the drill brought it and no
 * other replay's row is in it. Resolves with what it could not drop, and why.
 */
export async function dropDrillDatabases({ address, names, newRecoveryDatabase = false }: { address: ServerAddress; names: string[]; newRecoveryDatabase?: boolean }): Promise<string[]> {
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
    try {
      await forgetProgress(session, names);
      if (newRecoveryDatabase) await dropRecoveryDatabaseIfEmpty(session);
    } catch (error) {
      left.push(`the roll forward's row in ${RECOVERY_DATABASE} (${(error as Error).message})`);
    }
  } finally {
    await session.close();
  }
  return left;
}

async function dropRecoveryDatabaseIfEmpty(session: Session): Promise<void> {
  const tables = await session.query<{ name: string }>('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [RECOVERY_DATABASE]);
  if (tables.some((t) => t.name !== 'pitr_progress')) return;
  if (tables.length > 0) {
    const [row] = await session.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${quoteId(RECOVERY_DATABASE)}.pitr_progress`);
    if (Number(row?.n ?? 0) > 0) return;
  }
  await session.exec(`DROP DATABASE IF EXISTS ${quoteId(RECOVERY_DATABASE)}`);
}

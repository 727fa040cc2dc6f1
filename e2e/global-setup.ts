import type { FullConfig } from '@playwright/test';
import { startThrowawayServer } from '../lib/sandbox/throwaway-server.ts';

/**
 * One throwaway MariaDB for the whole e2e run (binlog on). Tests read its URI from
 * PARADUMP_E2E_MARIADB_URI; set that variable yourself to test against a server you already run.
 */
export default async function globalSetup(_: FullConfig): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PARADUMP_E2E_MARIADB_URI) return undefined;
  const server = await startThrowawayServer({ serverId: 1 });
  process.env.PARADUMP_E2E_MARIADB_URI = server.uri;
  return async () => {
    await server.stop();
  };
}

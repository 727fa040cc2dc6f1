import type { TestProject } from 'vitest/node';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server';
import { startPostgres } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mysql://root@127.0.0.1:PORT` of the run's throwaway MariaDB (binlog ON, ROW). */
    mariadbUri: string;
    /** `postgresql://postgres@127.0.0.1:PORT/postgres` of the run's throwaway PostgreSQL cluster (the store tests make a database each). */
    postgresUri: string;
  }
}

// One throwaway server per test run. A test that needs a server of its own (crash, replica,
// a second source) calls startThrowawayServer() itself and stops it in afterAll.
export default async function setup(project: TestProject) {
  const [started, pg] = await Promise.allSettled([startThrowawayServer({ serverId: 1 }), startPostgres()]);
  if (started.status === 'rejected' || pg.status === 'rejected') {
    // One failed: the other is stopped here, or it would outlive the run (no teardown follows).
    await Promise.allSettled([started.status === 'fulfilled' ? started.value.stop() : null, pg.status === 'fulfilled' ? pg.value.stop() : null]);
    throw started.status === 'rejected' ? started.reason : (pg as PromiseRejectedResult).reason;
  }
  const server = started.value;
  const postgres = pg.value;
  project.provide('mariadbUri', server.uri);
  project.provide('postgresUri', postgres.uri);
  return async () => {
    await Promise.all([server.stop(), postgres.stop()]);
  };
}

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
  const [server, postgres] = await Promise.all([startThrowawayServer({ serverId: 1 }), startPostgres()]);
  project.provide('mariadbUri', server.uri);
  project.provide('postgresUri', postgres.uri);
  return async () => {
    await Promise.all([server.stop(), postgres.stop()]);
  };
}

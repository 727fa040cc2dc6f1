import type { TestProject } from 'vitest/node';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mysql://root@127.0.0.1:PORT` of the run's throwaway MariaDB (binlog ON, ROW). */
    mariadbUri: string;
  }
}

// One throwaway server per test run. A test that needs a server of its own (crash, replica,
// a second source) calls startThrowawayServer() itself and stops it in afterAll.
export default async function setup(project: TestProject) {
  const server = await startThrowawayServer({ serverId: 1 });
  project.provide('mariadbUri', server.uri);
  return async () => {
    await server.stop();
  };
}

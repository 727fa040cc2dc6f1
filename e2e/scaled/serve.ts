/**
 * The webServer of playwright.scaled.config.ts: the scaled-out deployment of docs/scale.md on one
 * machine. A throwaway PostgreSQL cluster holds the store, a throwaway Redis carries the runs, one
 * `paradump worker` child runs them, and `next start` serves the dashboard, all with the same
 * environment. Playwright starts its webServer before globalSetup, so this script starts what the
 * dashboard needs itself, and stops all of it by PID on SIGTERM / SIGINT (the config's
 * gracefulShutdown) or when the dashboard exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres, type PostgresCluster } from '../../test/harness/postgres.ts';
import { startRedis, type RedisServer } from '../../test/harness/redis.ts';
import { startWorkerChild, type WorkerChild } from '../../test/harness/worker-child.ts';
import { e2eAdmin, e2eBaseURL, e2eDumpRoot, e2eDumpsDir, e2ePort, e2eStoreDir } from '../paths.ts';
import { scaledWorkerPidFile } from './worker-pid.ts';

const root = path.resolve(import.meta.dirname, '../..');
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

let pg: PostgresCluster | undefined;
let redis: RedisServer | undefined;
let worker: WorkerChild | undefined;
let next: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

function log(line: string): void {
  console.log(`[scaled e2e] ${line}`);
}

async function stopAll(): Promise<void> {
  stopping ??= (async () => {
    if (next && next.exitCode === null && next.signalCode === null) {
      const gone = new Promise((resolve) => next!.once('exit', resolve));
      process.kill(next.pid!, 'SIGTERM');
      await gone;
    }
    await worker?.stop();
    await redis?.stop().catch((error: unknown) => log(`redis stop: ${String(error)}`));
    await pg?.stop().catch((error: unknown) => log(`postgres stop: ${String(error)}`));
    log('stopped the dashboard, the worker, Redis and PostgreSQL');
  })();
  return stopping;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => spawn(command, args, { cwd: root, env, stdio: 'inherit' }).once('exit', resolve));
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { redirect: 'manual' }).then(
    () => true,
    () => false,
  );
}

async function main(): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stopAll().then(() => process.exit(0)));
  rmSync(e2eStoreDir, { recursive: true, force: true });
  mkdirSync(e2eDumpsDir, { recursive: true });

  pg = await startPostgres();
  const store = await pg.createDatabase('paradump_e2e');
  redis = await startRedis();
  log(`store ${store.url}, queue ${redis.url}`);
  const shared: Record<string, string> = {
    PARADUMP_DATABASE_URL: store.url,
    PARADUMP_REDIS_URL: redis.url,
    PARADUMP_SECRET: process.env.PARADUMP_SECRET ?? 'scaled-e2e-secret-0123456789abcdef',
    PARADUMP_DUMPS_DIR: e2eDumpsDir,
    PARADUMP_DUMP_ROOT: e2eDumpRoot,
    PARADUMP_ADMIN_USER: e2eAdmin.username,
    PARADUMP_ADMIN_PASSWORD: e2eAdmin.password,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...shared };

  // The main e2e run builds first; a build of its own only when there is none.
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    const code = await run(process.execPath, [nextBin, 'build'], env);
    if (code !== 0) throw new Error(`next build exited with ${code}`);
  }
  next = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(e2ePort)], { cwd: root, env, stdio: 'inherit' });
  next.once('exit', (code) => {
    log(`the dashboard exited (${code})`);
    void stopAll().then(() => process.exit(code ?? 1));
  });

  // The dashboard migrates the store at start: the worker starts on a migrated one.
  const deadline = Date.now() + 120_000;
  while (!(await answers(e2eBaseURL))) {
    if (Date.now() > deadline) throw new Error(`the dashboard did not answer on ${e2eBaseURL}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const lines: string[] = [];
  worker = startWorkerChild({ args: ['--concurrency', '2'], env: shared, log: lines });
  void worker.exited.then((code) => log(`the worker exited (${code}):\n${lines.slice(-20).join('\n')}`));
  writeFileSync(scaledWorkerPidFile, String(worker.child.pid));
  log(`worker child PID ${worker.child.pid}`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});

// First: sets the port, auth state and screenshot paths e2e/paths.ts reads (ESM evaluates in order).
import { scaledOutput } from './e2e/scaled/env.ts';
import { defineConfig, devices } from '@playwright/test';
import type { E2eOptions } from './e2e/fixtures.ts';
import { e2eAuthState, e2eBaseURL as baseURL } from './e2e/paths.ts';
import { scaledWorkerPidFile } from './e2e/scaled/worker-pid.ts';

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  },
};

/**
 * Issue 21's scaled-out deployment under the browser: the live-progress spec of e2e/backup.spec.ts
 * against a dashboard whose store is PostgreSQL and whose runs go through Redis to a separate
 * `paradump worker` process (e2e/scaled/serve.ts starts all of them). Runs after the main
 * configuration in `npm run test:e2e`, reusing its production build; see docs/scale.md.
 */
export default defineConfig<E2eOptions>({
  testDir: 'e2e',
  outputDir: `${scaledOutput}/test-results`,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: `${scaledOutput}/report`, open: 'never' }]],
  // The source MariaDB, as in the main run (the dashboard only learns of it from the form).
  globalSetup: './e2e/global-setup.ts',
  use: { baseURL, screenshot: 'on', trace: 'retain-on-failure' },
  projects: [
    { name: 'auth', testMatch: /auth\.setup\.ts/, use: chromium },
    {
      name: 'scaled',
      testMatch: /backup\.spec\.ts/,
      // The live-progress test only: the others add minutes and nothing the queue changes.
      grep: /back up live/,
      dependencies: ['auth'],
      use: { ...chromium, storageState: e2eAuthState, workerPidFile: scaledWorkerPidFile },
    },
  ],
  webServer: {
    command: 'node --import tsx e2e/scaled/serve.ts',
    url: baseURL,
    timeout: 300_000,
    reuseExistingServer: false,
    // serve.ts stops the dashboard, the worker, Redis and PostgreSQL (by PID) on SIGTERM; the default
    // SIGKILL would leave the daemonized postmaster behind.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 60_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

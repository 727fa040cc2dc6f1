import { defineConfig, devices } from '@playwright/test';
import { e2eBaseURL as baseURL, e2eDumpsDir, e2ePort as port, e2eStoreDir, e2eStoreFile } from './e2e/paths.ts';

const chromium = {
  ...devices['Desktop Chrome'],
  // Debian's Chromium: Playwright cannot download its own browser builds on our machines.
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/output/test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Two cores run the server, MariaDB and the browser: one test at a time keeps timings honest.
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: 'e2e/output/report', open: 'never' }]],
  // A throwaway MariaDB for the run (tests read PARADUMP_E2E_MARIADB_URI), stopped at the end.
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL,
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
  projects: [
    // The empty store first: its test must see no runs, before the others create some.
    { name: 'empty-store', testMatch: /overview\.spec\.ts/, use: chromium },
    { name: 'chromium', testIgnore: /overview\.spec\.ts/, dependencies: ['empty-store'], use: chromium },
  ],
  webServer: process.env.PARADUMP_E2E_BASE_URL
    ? undefined
    : {
        // The production build, as `npm start` serves it. The build takes a minute or two on two cores.
        command: `rm -rf '${e2eStoreDir}' && npx next build && npx next start -H 127.0.0.1 -p ${port}`,
        url: baseURL,
        env: { PARADUMP_DATABASE_URL: `file:${e2eStoreFile}`, PARADUMP_DUMPS_DIR: e2eDumpsDir, NEXT_TELEMETRY_DISABLED: '1' },
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
      },
});

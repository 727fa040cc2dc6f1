import { defineConfig, devices } from '@playwright/test';
import { e2eAdmin, e2eAuthState, e2eBaseURL as baseURL, e2eDumpRoot, e2eDumpsDir, e2ePort as port, e2eServerLog, e2eStoreDir, e2eStoreFile } from './e2e/paths.ts';

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
    // Signs in as the admin the server created from PARADUMP_ADMIN_USER and saves the cookie.
    { name: 'auth', testMatch: /auth\.setup\.ts/, use: chromium },
    // The empty store first: its test must see no runs, before the others create some.
    { name: 'empty-store', testMatch: /overview\.spec\.ts/, dependencies: ['auth'], use: { ...chromium, storageState: e2eAuthState } },
    {
      name: 'chromium',
      testIgnore: [/overview\.spec\.ts/, /auth\.setup\.ts/, /leaks\.spec\.ts/],
      dependencies: ['empty-store'],
      use: { ...chromium, storageState: e2eAuthState },
    },
    // Last: looks for the marker password everywhere the full run left something.
    { name: 'leaks', testMatch: /leaks\.spec\.ts/, dependencies: ['chromium'], use: { ...chromium, storageState: e2eAuthState } },
  ],
  webServer: process.env.PARADUMP_E2E_BASE_URL
    ? undefined
    : {
        // The production build, as `npm start` serves it. The build takes a minute or two on two cores.
        // Everything it prints also goes to a file, which e2e/leaks.spec.ts searches for the password.
        command: `rm -rf '${e2eStoreDir}' '${e2eServerLog}' && (npx next build && npx next start -H 127.0.0.1 -p ${port}) 2>&1 | tee '${e2eServerLog}'`,
        url: baseURL,
        env: {
          PARADUMP_DATABASE_URL: `file:${e2eStoreFile}`,
          PARADUMP_DUMPS_DIR: e2eDumpsDir,
          PARADUMP_DUMP_ROOT: e2eDumpRoot,
          PARADUMP_ADMIN_USER: e2eAdmin.username,
          PARADUMP_ADMIN_PASSWORD: e2eAdmin.password,
          NEXT_TELEMETRY_DISABLED: '1',
        },
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
      },
});

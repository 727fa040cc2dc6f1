import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.PARADUMP_E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${port}`;

/**
 * The store the e2e server uses: a fixed path (the config is evaluated again in every worker, so a
 * random one would differ between them), emptied by the webServer command before each run.
 */
export const e2eStoreDir = path.join(tmpdir(), `paradump-e2e-${port}`);
export const e2eStoreFile = path.join(e2eStoreDir, 'paradump.db');

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/output/test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: 'e2e/output/report', open: 'never' }]],
  use: {
    baseURL,
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
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
      },
    },
  ],
  webServer: {
    // The production build, as `npm start` serves it. The build takes a minute or two on two cores.
    command: `rm -rf '${e2eStoreDir}' && npx next build && npx next start -p ${port}`,
    url: baseURL,
    env: { PARADUMP_DATABASE_URL: `file:${e2eStoreFile}`, NEXT_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

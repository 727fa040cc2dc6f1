import { defineConfig, devices } from '@playwright/test';
import { e2eBaseURL as baseURL, e2ePort as port, e2eStoreDir, e2eStoreFile } from './e2e/paths.ts';

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
    command: `rm -rf '${e2eStoreDir}' && npx next build && npx next start -H 127.0.0.1 -p ${port}`,
    url: baseURL,
    env: { PARADUMP_DATABASE_URL: `file:${e2eStoreFile}`, NEXT_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

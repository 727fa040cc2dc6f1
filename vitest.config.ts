import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@': root.replace(/\/$/, '') },
  },
  test: {
    environment: 'node',
    include: ['lib/**/*.test.ts', 'test/**/*.test.ts', 'cli/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', '.next/**'],
    // Starts one throwaway MariaDB for the whole run; tests read its URI with inject('mariadbUri').
    globalSetup: './test/harness/global-setup.ts',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // 2 cores and one shared server: files run one after another.
    fileParallelism: false,
  },
});

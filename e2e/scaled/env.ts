import path from 'node:path';

/**
 * Imported first by playwright.scaled.config.ts, before e2e/paths.ts reads these: its own port (so
 * its store dir and server log differ from the main run's), auth state and screenshots, so that the
 * two configurations can run one after the other without touching each other's files.
 */
const output = path.join(import.meta.dirname, '..', 'output', 'scaled');
process.env.PARADUMP_E2E_PORT ??= '3108';
process.env.PARADUMP_E2E_AUTH_STATE ??= path.join(output, '.auth', 'admin.json');
process.env.PARADUMP_E2E_SHOTS ??= path.join(output, 'screenshots');

export const scaledOutput = output;

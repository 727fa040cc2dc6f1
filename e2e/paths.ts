import { tmpdir } from 'node:os';
import path from 'node:path';

const port = Number(process.env.PARADUMP_E2E_PORT ?? 3107);

export const e2ePort = port;
export const e2eBaseURL = process.env.PARADUMP_E2E_BASE_URL ?? `http://127.0.0.1:${port}`;

/**
 * The store of the server under test: a fixed path, because the config is evaluated again in every
 * worker and a random one would differ between them. The webServer command empties it before a run.
 */
export const e2eStoreDir = process.env.PARADUMP_E2E_STORE_DIR ?? path.join(tmpdir(), `paradump-e2e-${port}`);
export const e2eStoreFile = path.join(e2eStoreDir, 'paradump.db');
/** Where the server under test writes dumps started from the form with no output location. */
export const e2eDumpsDir = path.join(e2eStoreDir, 'dumps');
/** Screenshots for review. */
export const e2eShots = process.env.PARADUMP_E2E_SHOTS ?? path.join(import.meta.dirname, 'output', 'screenshots');
/** Everything the server under test prints (build and start), scanned for the marker password. */
export const e2eServerLog = path.join(tmpdir(), `paradump-e2e-${port}-server.log`);
/** Where the dashboard may write dumps (PARADUMP_DUMP_ROOT of the server under test). */
export const e2eDumpRoot = e2eDumpsDir;
/** The admin the server creates at start (PARADUMP_ADMIN_USER / PARADUMP_ADMIN_PASSWORD). */
export const e2eAdmin = { username: 'e2e-admin', password: 'e2e admin password, long enough' };
/** Saved browser state of the signed-in admin (written by e2e/auth.setup.ts). */
export const e2eAuthState = process.env.PARADUMP_E2E_AUTH_STATE ?? path.join(import.meta.dirname, 'output', '.auth', 'admin.json');
/** The password of the MariaDB account the tests save in the dashboard: no output may contain it. */
export const SECRET_MARKER = 'Mk7-SECRET-marker-Zq';

import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { startThrowawayServer, type ThrowawayServer } from '../sandbox/throwaway-server.ts';
import { getPrisma } from '../store/prisma.ts';
import { addServer } from './servers.ts';
import { ServerPublic } from './schemas.ts';
import { ParadumpError } from '../core/errors.ts';
import { Session } from '../mysql/session.ts';
import { parseServerUri } from '../mysql/uri.ts';

export const SANDBOX_SERVER_NAME = 'Local sandbox';
export const SANDBOX_DATABASE = 'sample_shop';

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Whether MariaDB's server programs are installed, so the sandbox button can work. */
export function sandboxAvailable(): boolean {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  const found = (names: string[]) =>
    names.some((name) =>
      dirs.some((dir) => {
        try {
          accessSync(path.join(dir, name), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
    );
  return found(['mariadbd', 'mysqld']) && found(['mariadb-install-db', 'mysql_install_db']);
}

// The sandbox lives as long as the dashboard's process; one per process, whatever module copy asks.
const globalForSandbox = globalThis as typeof globalThis & { paradumpSandbox?: Promise<ThrowawayServer> };

/**
 * Starts a throwaway MariaDB with a small sample database and saves it as a server, so a newcomer's
 * first backup is one click away. Idempotent within a process. The server stops with the dashboard.
 */
export async function startSandbox(): Promise<ServerPublic> {
  if (!sandboxAvailable()) throw new ParadumpError('SANDBOX_UNAVAILABLE', 'mariadbd or mariadb-install-db is not installed');
  globalForSandbox.paradumpSandbox ??= startThrowawayServer({ serverId: 1 }).catch((error: unknown) => {
    globalForSandbox.paradumpSandbox = undefined;
    throw error;
  });
  const server = await globalForSandbox.paradumpSandbox;
  await createSampleDatabase(server.uri);
  const prisma = getPrisma();
  // The saved entry of an earlier process points at a port that is gone: replace it.
  await prisma.server.deleteMany({ where: { name: SANDBOX_SERVER_NAME, sandbox: true } });
  const saved = await addServer({ name: SANDBOX_SERVER_NAME, host: '127.0.0.1', port: server.port, user: 'root', password: '', sandbox: true });
  return ServerPublic.parse(saved);
}

async function createSampleDatabase(uri: string): Promise<void> {
  const conn = await Session.open(parseServerUri(uri), { label: 'filling the sandbox' });
  try {
    await conn.exec(`CREATE DATABASE IF NOT EXISTS ${SANDBOX_DATABASE}`);
    await conn.exec(`USE ${SANDBOX_DATABASE}`);
    const rows = await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [SANDBOX_DATABASE]);
    if (Number(rows[0]?.n ?? 0) > 0) return;
    await conn.exec(`CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, name VARCHAR(80) NOT NULL, email VARCHAR(120) NOT NULL, created_at DATETIME NOT NULL) ENGINE=InnoDB`);
    await conn.exec(`CREATE TABLE products (sku VARCHAR(20) NOT NULL PRIMARY KEY, title VARCHAR(120) NOT NULL, price DECIMAL(10,2) NOT NULL) ENGINE=InnoDB`);
    await conn.exec(
      `CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id INT NOT NULL, sku VARCHAR(20) NOT NULL, quantity INT NOT NULL, placed_at DATETIME NOT NULL, note VARCHAR(200) NOT NULL DEFAULT '', KEY (customer_id)) ENGINE=InnoDB`,
    );
    // MariaDB's sequence engine (seq_1_to_N) fills the tables in a few statements.
    await conn.exec(`INSERT INTO customers SELECT seq, CONCAT('Customer ', seq), CONCAT('customer', seq, '@example.com'), '2026-01-01' + INTERVAL (seq % 300) DAY FROM seq_1_to_20000`);
    await conn.exec(`INSERT INTO products SELECT CONCAT('SKU-', LPAD(seq, 6, '0')), CONCAT('Product ', seq), ROUND(1 + (seq * 7919 % 50000) / 100, 2) FROM seq_1_to_2000`);
    await conn.exec(
      `INSERT INTO orders SELECT seq, 1 + (seq * 31 % 20000), CONCAT('SKU-', LPAD(1 + (seq * 17 % 2000), 6, '0')), 1 + seq % 5, '2026-01-01' + INTERVAL (seq % 500000) MINUTE, REPEAT('x', seq % 150) FROM seq_1_to_200000`,
    );
  } finally {
    await conn.close();
  }
}

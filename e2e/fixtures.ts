import { randomBytes, randomUUID } from 'node:crypto';
import { test as base } from '@playwright/test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { e2eStoreFile, SECRET_MARKER } from './paths.ts';

export interface SeedRun {
  kind: 'dump' | 'restore' | 'pitr';
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  outDir: string;
  startedAt: Date;
  finishedAt?: Date;
  rows?: number;
  bytes?: number;
  errorCode?: string;
}

export interface SourceServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * A new database named `<prefix>_<random>` with an `orders` table of `rows` rows (id 1…rows) and a
   * small `customers` table; dropped after the test.
   */
  createDatabase(prefix: string, options: { rows: number }): Promise<string>;
  query(sql: string): Promise<unknown[]>;
  /** Drop this database after the test (one the dashboard creates, e.g. a restore target). */
  dropAfter(name: string): void;
}

// Dates as the Prisma better-sqlite3 adapter writes them by default (ISO 8601 with an explicit offset).
const isoForStore = (date: Date) => date.toISOString().replace('Z', '+00:00');

function mariadbUri(): string {
  const uri = process.env.PARADUMP_E2E_MARIADB_URI;
  if (!uri) throw new Error('PARADUMP_E2E_MARIADB_URI is not set: e2e/global-setup.ts starts the server');
  return uri;
}

/** The MariaDB account the tests save in the dashboard: its password is the marker no output may contain. */
const MARKED_USER = 'paradump_e2e';

async function ensureMarkedUser(conn: mysql.Connection): Promise<void> {
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await conn.query(`CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?`, [MARKED_USER, host, SECRET_MARKER]);
    await conn.query(`GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION`, [MARKED_USER, host]);
  }
}

export interface E2eOptions {
  /**
   * Set by playwright.scaled.config.ts: the file holding the PID of the `paradump worker` child that
   * runs the dashboard's runs (e2e/scaled/serve.ts). Null when runs start in the dashboard's process.
   */
  workerPidFile: string | null;
}

export const test = base.extend<{ store: { insertRun(run: SeedRun): string }; source: SourceServer; leakWatch: void } & E2eOptions>({
  workerPidFile: [null, { option: true }],

  /**
   * Every response the page receives (HTML, RSC payloads, JSON, downloads) is read after the test and
   * must not contain the marker password. The SSE stream is checked by e2e/leaks.spec.ts.
   */
  leakWatch: [
    async ({ page }, use, testInfo) => {
      const bodies: Promise<{ url: string; text: string } | null>[] = [];
      page.on('response', (response) => {
        if ((response.headers()['content-type'] ?? '').includes('text/event-stream')) return;
        bodies.push(
          response.body().then(
            (b) => ({ url: response.url(), text: b.toString('latin1') }),
            () => null,
          ),
        );
      });
      await use();
      const read = (await Promise.all(bodies)).filter((b) => b !== null);
      const leaked = read.filter((b) => b.text.includes(SECRET_MARKER)).map((b) => b.url);
      testInfo.annotations.push({ type: 'responses checked for the marker password', description: String(read.length) });
      if (leaked.length > 0) throw new Error(`the server password was sent to the browser in: ${leaked.join(', ')}`);
    },
    { auto: true },
  ],


  /** Writes runs straight into the server's store and removes them after the test. */
  store: async ({}, use) => {
    const db = new Database(e2eStoreFile, { fileMustExist: true });
    const inserted: string[] = [];
    try {
      await use({
        insertRun(run) {
          const id = `e2e-${randomUUID()}`;
          db.prepare(
            `INSERT INTO "Run" ("id", "kind", "status", "options", "outDir", "startedAt", "finishedAt", "rows", "bytes", "errorCode")
             VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            run.kind,
            run.status,
            run.outDir,
            isoForStore(run.startedAt),
            run.finishedAt ? isoForStore(run.finishedAt) : null,
            run.rows ?? 0,
            run.bytes ?? 0,
            run.errorCode ?? null,
          );
          inserted.push(id);
          return id;
        },
      });
    } finally {
      const remove = db.prepare('DELETE FROM "Run" WHERE "id" = ?');
      for (const id of inserted) remove.run(id);
      db.close();
    }
  },

  /** The throwaway MariaDB; databases a test creates are dropped after it. */
  source: async ({}, use) => {
    const uri = new URL(mariadbUri());
    const conn = await mysql.createConnection({ uri: uri.toString() });
    await ensureMarkedUser(conn);
    const created: string[] = [];
    try {
      await use({
        host: uri.hostname,
        port: Number(uri.port),
        user: MARKED_USER,
        password: SECRET_MARKER,
        async createDatabase(prefix, { rows }) {
          const name = `${prefix}_${randomBytes(3).toString('hex')}`;
          await conn.query(`CREATE DATABASE \`${name}\``);
          created.push(name);
          await conn.query(`USE \`${name}\``);
          await conn.query('CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad VARCHAR(60) NOT NULL, KEY (k)) ENGINE=InnoDB');
          // MariaDB's sequence engine: rows without a round trip each.
          await conn.query(`INSERT INTO orders SELECT seq, seq % 1000, REPEAT(CHAR(65 + seq % 26), 120), REPEAT('x', seq % 60) FROM seq_1_to_${rows}`);
          await conn.query('CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, name VARCHAR(80) NOT NULL) ENGINE=InnoDB');
          await conn.query("INSERT INTO customers SELECT seq, CONCAT('customer ', seq) FROM seq_1_to_5000");
          await conn.query(`ANALYZE TABLE orders, customers`);
          return name;
        },
        dropAfter(name) {
          created.push(name);
        },
        async query(sql) {
          const [rows] = await conn.query(sql);
          return rows as unknown[];
        },
      });
    } finally {
      for (const name of created) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    }
  },
});

export { expect } from '@playwright/test';

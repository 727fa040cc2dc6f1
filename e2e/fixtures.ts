import { randomUUID } from 'node:crypto';
import { test as base } from '@playwright/test';
import Database from 'better-sqlite3';
import { e2eStoreFile } from './paths.ts';

export interface SeedRun {
  kind: 'dump' | 'restore' | 'pitr';
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  outDir: string;
  startedAt: Date;
  finishedAt?: Date;
  rows?: number;
  bytes?: number;
  errorCode?: string;
}

// Dates as the Prisma better-sqlite3 adapter writes them by default (ISO 8601 with an explicit offset).
const isoForStore = (date: Date) => date.toISOString().replace('Z', '+00:00');

/** Writes runs straight into the server's store and removes them after the test. */
export const test = base.extend<{ store: { insertRun(run: SeedRun): string } }>({
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
});

export { expect } from '@playwright/test';

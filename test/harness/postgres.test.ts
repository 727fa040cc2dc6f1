import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres.ts';

describe('startPostgres', () => {
  it('starts a cluster on a loopback port, makes databases, and stops by PID', async () => {
    const cluster = await startPostgres();
    let stopped = false;
    try {
      expect(cluster.uri).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const db = await cluster.createDatabase('harness');
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ db: string; v: string }>('SELECT current_database() AS db, current_setting(\'server_version_num\') AS v');
      expect(rows[0]?.db).toBe(db.name);
      expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(130000);
      // drop() ends connections still open on the database.
      client.on('error', () => undefined);
      await db.drop();
      await cluster.stop();
      stopped = true;
      expect(() => process.kill(cluster.pid, 0)).toThrow();
    } finally {
      if (!stopped) await cluster.stop();
    }
  });
});

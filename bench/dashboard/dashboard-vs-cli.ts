// npx tsx bench/dashboard/dashboard-vs-cli.ts [--tables 3000] [--rows 20] [--repeats 2] [--threads 2]
// The same dump of a database of many small tables, from the CLI (`paradump dump --quiet`, its own
// process) and from the dashboard's code path (lib/runs startDump: live state, store recorder, SSE
// frames, in this process, with one stream subscribed as a browser would be). Alternates the two and
// prints medians and the ratio dashboard ÷ CLI. Starts and stops its own throwaway MariaDB.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { getPrisma } from '../../lib/store/prisma.ts';

const { values } = parseArgs({ options: { tables: { type: 'string' }, rows: { type: 'string' }, repeats: { type: 'string' }, threads: { type: 'string' } } });
const TABLES = Number(values.tables ?? 3000);
const ROWS = Number(values.rows ?? 20);
const REPEATS = Number(values.repeats ?? 2);
const THREADS = Number(values.threads ?? 2);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function createTables(uri: string): Promise<number> {
  const started = performance.now();
  const conn = await mysql.createConnection({ uri });
  await conn.query('CREATE DATABASE many');
  await conn.query(`CREATE PROCEDURE many.make_tables(n INT)
    BEGIN
      DECLARE i INT DEFAULT 0;
      WHILE i < n DO
        SET @t = CONCAT('many.t', LPAD(i, 5, '0'));
        SET @create = CONCAT('CREATE TABLE ', @t, ' (id INT NOT NULL PRIMARY KEY, v VARCHAR(32) NOT NULL) ENGINE=InnoDB');
        PREPARE s FROM @create; EXECUTE s; DEALLOCATE PREPARE s;
        SET @fill = CONCAT('INSERT INTO ', @t, ' SELECT seq, CONCAT(''row '', seq) FROM seq_1_to_${ROWS}');
        PREPARE s FROM @fill; EXECUTE s; DEALLOCATE PREPARE s;
        SET i = i + 1;
      END WHILE;
    END`);
  await conn.query(`CALL many.make_tables(${TABLES})`);
  await conn.end();
  return performance.now() - started;
}

async function cliDump(uri: string, outDir: string): Promise<number> {
  const started = performance.now();
  await run(process.execPath, ['bin/paradump.mjs', 'dump', '--source', uri, '--databases', 'many', '--out', outDir, '--threads', String(THREADS), '--compress', 'none', '--quiet'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}

async function dashboardDump(serverId: string, outDir: string): Promise<number> {
  const { startDump } = await import('../../lib/runs/start-dump.ts');
  const { getLiveRun } = await import('../../lib/runs/registry.ts');
  const { openRunStream } = await import('../../lib/runs/open-run-stream.ts');
  const started = performance.now();
  const { id } = await startDump({ serverId, databases: ['many'], tables: [], threads: THREADS, chunkRows: 100_000, lock: 'snapshot', compress: 'none', format: 'sql', outDir });
  // A browser's stream, read to the end: the run is over (and stored) when it ends.
  const live = getLiveRun(id);
  await new Response(await openRunStream({ id, lastEventId: live?.eventId ?? null })).text();
  const ms = performance.now() - started;
  const stored = await getPrisma().run.findUniqueOrThrow({ where: { id }, select: { status: true, chunksDone: true } });
  if (stored.status !== 'succeeded') throw new Error(`dashboard run ${id} ended ${stored.status}`);
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'paradump-dash-vs-cli-'));
  const server = await startThrowawayServer({ serverId: 7 });
  try {
    const databasePath = path.join(dir, 'store.db');
    process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
    process.env.PARADUMP_DUMP_ROOT = dir;
    applyMigrations({ databasePath, migrationsDir: path.join(repoRoot, 'prisma/migrations') });
    const createMs = await createTables(server.uri);
    const { addServer } = await import('../../lib/runs/servers.ts');
    const u = new URL(server.uri);
    const { id: serverId } = await addServer({ name: 'bench', host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
    const startupStarted = performance.now();
    await run(process.execPath, ['bin/paradump.mjs', '--help'], { cwd: repoRoot });
    const cliStartupMs = performance.now() - startupStarted;
    const cli: number[] = [];
    const dashboard: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      cli.push(await cliDump(server.uri, path.join(dir, `cli-${i}`)));
      dashboard.push(await dashboardDump(serverId, path.join(dir, `dash-${i}`)));
      rmSync(path.join(dir, `cli-${i}`), { recursive: true, force: true });
      rmSync(path.join(dir, `dash-${i}`), { recursive: true, force: true });
    }
    const result = {
      tables: TABLES,
      rows: ROWS,
      threads: THREADS,
      createTablesMs: Math.round(createMs),
      cliStartupMs: Math.round(cliStartupMs),
      cliMs: cli.map(Math.round),
      dashboardMs: dashboard.map(Math.round),
      ratio: Math.round((median(dashboard) / median(cli)) * 100) / 100,
      ratioWithoutCliStartup: Math.round((median(dashboard) / (median(cli) - cliStartupMs)) * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await getPrisma().$disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// npx tsx bench/drills/drill-time.ts [--rows 1000000] [--threads 4]
// What a restore drill costs: one plan backup of a table of `rows` rows, then a drill into a saved
// scratch server (the same throwaway MariaDB, under a prefix) and one into a throwaway MariaDB
// started for the drill. Prints time to restore, time to verify, time of the check and the wall
// time of each drill (the throwaway's includes installing and starting the server). Starts and
// stops its own MariaDB and store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { drillsIdle } from '../../lib/drills/drill-registry.ts';
import { startDrill } from '../../lib/drills/drill-service.ts';
import { getDrill, saveDrillPolicy } from '../../lib/drills/drill-store.ts';
import { getPlanService, runPlanNow, startPlanService } from '../../lib/plans/plan-service.ts';
import { savePlan } from '../../lib/plans/plan-store.ts';
import { addServer } from '../../lib/runs/servers.ts';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { applyMigrations } from '../../lib/store/apply-migrations.ts';
import { getPrisma } from '../../lib/store/prisma.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, threads: { type: 'string' } } });
const ROWS = Number(values.rows ?? 1_000_000);
const THREADS = Number(values.threads ?? 4);
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-bench-drills-'));
process.env.PARADUMP_DATABASE_URL = `file:${path.join(dir, 'store.db')}`;
process.env.PARADUMP_DUMP_ROOT = path.join(dir, 'dumps');
applyMigrations({ databasePath: path.join(dir, 'store.db'), migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });

const server = await startThrowawayServer();
try {
  const conn = await mysql.createConnection({ uri: server.uri });
  await conn.query('CREATE DATABASE shop');
  await conn.query('USE shop');
  await conn.query('CREATE TABLE shop.orders (id BIGINT NOT NULL PRIMARY KEY, customer_id INT NOT NULL, sku VARCHAR(20) NOT NULL, quantity INT NOT NULL, placed_at DATETIME NOT NULL, note VARCHAR(200) NOT NULL, KEY (customer_id)) ENGINE=InnoDB');
  await conn.query(`INSERT INTO shop.orders SELECT seq, 1 + (seq * 31 % 20000), CONCAT('SKU-', LPAD(1 + (seq * 17 % 2000), 6, '0')), 1 + seq % 5, '2026-01-01' + INTERVAL (seq % 500000) MINUTE, REPEAT('x', seq % 150) FROM seq_1_to_${ROWS}`);
  await conn.end();
  const serverId = (await addServer({ name: 'bench', host: '127.0.0.1', port: server.port, user: 'root', password: '' })).id;
  const { id: planId } = await savePlan({ input: { name: 'bench', serverId, databases: ['shop'], dump: { threads: THREADS, chunkRows: 100_000 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 3 }, alerts: { stale: false } } });
  await startPlanService();
  const backupTick = performance.now();
  await runPlanNow({ id: planId });
  await getPlanService()!.scheduler.idle();
  const backup = await getPrisma().run.findFirstOrThrow({ where: { planId } });
  console.log(`backup: ${backup.status}, ${ROWS} rows, ${Number(backup.bytes)} bytes in ${Math.round(performance.now() - backupTick)} ms`);
  const check = { sql: 'SELECT COUNT(*) FROM orders', compare: '=' as const, expected: String(ROWS) };
  for (const target of [{ kind: 'server' as const, serverId }, { kind: 'throwaway' as const }]) {
    await saveDrillPolicy({ planId, input: { trigger: { kind: 'backups', every: 1000 }, target, prefix: 'bench_', threads: THREADS, checks: [check] } });
    const tick = performance.now();
    const { id } = await startDrill({ planId, trigger: 'manual' });
    await drillsIdle();
    const d = await getDrill({ id });
    console.log(`drill into ${target.kind}: ${d.status}${d.errorMessage ? ` (${d.errorMessage})` : ''}; restore ${d.restoreMs} ms, verify ${d.verifyMs} ms, check ${d.checksMs} ms, wall ${Math.round(performance.now() - tick)} ms`);
  }
  await getPlanService()!.stop();
} finally {
  await getPrisma().$disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

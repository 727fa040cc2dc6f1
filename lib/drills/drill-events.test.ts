import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, queryRows, uniqueName, type TestDatabase } from '../../test/harness/db.ts';
import { createPlanStore, type PlanStoreFixture } from '../../test/harness/plan-store.ts';
import { getPlanService, runPlanNow, startPlanService } from '../plans/plan-service.ts';
import { savePlan } from '../plans/plan-store.ts';
import { restore } from '../restore/restore.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillsIdle } from './drill-registry.ts';
import { getDrill, getDrillPolicy, saveDrillPolicy } from './drill-store.ts';
import { createDrillRecord, runDrill } from './run-drill.ts';

// A drill never changes anything outside the databases it created: not even through an event of
// the backup firing in the copy while the drill runs. The harness server runs event_scheduler=ON
// and is both the plan's source and the drill's scratch server; the dumped event writes into
// another database, tagging each row with the database it fired in.

const uri = inject('mariadbUri');
let store: PlanStoreFixture;
let db: TestDatabase;
let serverId: string;
const other = uniqueName('evother');
const control = uniqueName('evctl');
const copies: string[] = [];

const count = async (sql: string) => Number((await queryRows<{ n: number | string }>(uri, sql))[0]!.n);
const writtenBy = (database: string) => count(`SELECT COUNT(*) AS n FROM \`${other}\`.t WHERE src = '${database}'`);
const eventStatus = async (database: string) => (await queryRows<{ s: string }>(uri, `SELECT STATUS AS s FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '${database}' AND EVENT_NAME = 'leak'`)).map((r) => r.s);

/** Waits until the control event (its own database) has fired `ticks` more times: the scheduler had that many chances. */
async function schedulerTicks(ticks: number): Promise<void> {
  const sql = `SELECT COUNT(*) AS n FROM \`${control}\`.ticks`;
  const from = await count(sql);
  const deadline = Date.now() + 30_000;
  while ((await count(sql)) < from + ticks) {
    if (Date.now() > deadline) throw new Error(`the control event did not fire ${ticks} times in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  store = await createPlanStore({ uri, prefix: 'drillev', tables: [{ name: 'items', rows: 200 }] });
  db = store.db;
  serverId = await store.addServer('events source');
  const conn = await connect(uri);
  try {
    const [[row]] = await conn.query<import('mysql2').RowDataPacket[]>('SELECT @@GLOBAL.event_scheduler AS s');
    expect(row!.s).toBe('ON');
    await conn.query(`CREATE DATABASE \`${other}\`; CREATE TABLE \`${other}\`.t (id INT AUTO_INCREMENT PRIMARY KEY, src VARCHAR(64) NOT NULL)`);
    await conn.query(`CREATE DATABASE \`${control}\`; CREATE TABLE \`${control}\`.ticks (id INT AUTO_INCREMENT PRIMARY KEY)`);
    await conn.query(`CREATE EVENT \`${control}\`.tick ON SCHEDULE EVERY 1 SECOND DO INSERT INTO \`${control}\`.ticks VALUES ()`);
    // Enabled as dumped; it names the other database explicitly, which no rename rewrites.
    await conn.query(`CREATE EVENT \`${db.name}\`.leak ON SCHEDULE EVERY 1 SECOND ENABLE DO INSERT INTO \`${other}\`.t (src) VALUES (DATABASE())`);
  } finally {
    await conn.end();
  }
  await startPlanService({ tickMs: 250 });
});

afterAll(async () => {
  await drillsIdle();
  await getPlanService()?.stop();
  const conn = await connect(uri);
  for (const name of [other, control, ...copies]) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.end();
  await store?.close();
});

async function backupOfPlan(): Promise<{ planId: string; outDir: string }> {
  const { id: planId } = await savePlan({ input: { name: uniqueName('events'), serverId, databases: [db.name], dump: { threads: 2 }, schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 5 }, alerts: { stale: false } } });
  await runPlanNow({ id: planId });
  await getPlanService()!.scheduler.idle();
  const run = await getPrisma().run.findFirstOrThrow({ where: { planId, status: 'succeeded' } });
  return { planId, outDir: run.outDir };
}

describe('events of a drilled backup', () => {
  it('the source event fires (the control): a plain restore keeps it enabled and it runs in the copy', async () => {
    await schedulerTicks(2);
    expect(await writtenBy(db.name)).toBeGreaterThan(0);
    const { outDir } = await backupOfPlan();
    const copy = uniqueName('evplain');
    copies.push(copy);
    await restore({ from: outDir, target: uri, rename: { [db.name]: copy }, stateDir: `${store.dir}/plain-state` });
    expect(await eventStatus(copy)).toEqual(['ENABLED']);
    await schedulerTicks(3);
    expect(await writtenBy(copy)).toBeGreaterThan(0);
  });

  it('with disableEvents the copy\'s event is created DISABLED, named in a warning, and never fires', async () => {
    const { outDir } = await backupOfPlan();
    const copy = uniqueName('evoff');
    copies.push(copy);
    const result = await restore({ from: outDir, target: uri, rename: { [db.name]: copy }, disableEvents: true, stateDir: `${store.dir}/off-state` });
    expect(result.warnings.filter((w) => w.code === 'EVENT_DISABLED').map((w) => w.message)).toEqual([expect.stringContaining(`\`${copy}\`.\`leak\``)]);
    expect(await eventStatus(copy)).toEqual(['DISABLED']);
    await schedulerTicks(3);
    expect(await writtenBy(copy)).toBe(0);
  });

  it('a drill restores the event DISABLED: over 3 scheduler ticks during the drill nothing reaches the other database, and nothing of the drill is left', async () => {
    const { planId } = await backupOfPlan();
    const scratchId = await store.addServer(uniqueName('events_scratch'));
    await saveDrillPolicy({ planId, input: { trigger: { kind: 'backups', every: 1000 }, target: { kind: 'server', serverId: scratchId }, prefix: 'de_' } });
    const copy = `de_${db.name}`;
    const seen: { status?: string[]; written?: number } = {};
    const { id } = await createDrillRecord({ planId, trigger: 'manual' });
    const outcome = await runDrill({
      drillId: id,
      policy: (await getDrillPolicy({ planId }))!.policy,
      hooks: {
        // While the copy exists (restored, before the verify): let the scheduler tick at least 3 times.
        afterRestore: async () => {
          seen.status = await eventStatus(copy);
          await schedulerTicks(3);
          seen.written = await writtenBy(copy);
        },
      },
    });
    expect([outcome.status, outcome.error?.message]).toEqual(['succeeded', undefined]);
    expect(seen).toEqual({ status: ['DISABLED'], written: 0 });
    expect((await getDrill({ id })).databases).toEqual([copy]);
    // After the drill: no copy, no event of it, still nothing written in its name.
    expect(await count(`SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${copy}'`)).toBe(0);
    expect(await eventStatus(copy)).toEqual([]);
    expect(await writtenBy(copy)).toBe(0);
  });
});

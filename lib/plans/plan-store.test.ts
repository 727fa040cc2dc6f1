import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, STORE_PROVIDERS, type TestStore } from '../../test/harness/store.ts';
import { isParadumpError } from '../core/errors.ts';
import { getPrisma } from '../store/prisma.ts';
import { deletePlan, getPlanView, listPlans, loadPlanSecrets, savePlan, setPlanPaused } from './plan-store.ts';
import type { PlanInput } from './plan-schema.ts';
import { dueSlot } from './due-slot.ts';

// Plans saved, listed, edited, paused and deleted through the store, on SQLite and PostgreSQL.
describe.each(STORE_PROVIDERS)('plan store (%s)', (provider) => {
  let store: TestStore;
  let serverId: string;
  const input = (name: string, extra: Partial<PlanInput> = {}): PlanInput => ({
    name,
    serverId,
    databases: ['shop'],
    dump: { threads: 2, compress: 'zstd' },
    schedule: { cron: '0 2 * * *', timeZone: 'Europe/Paris' },
    retention: { keepLast: 3 },
    alerts: { stale: false },
    ...extra,
  });

  beforeAll(async () => {
    process.env.PARADUMP_SECRET ??= 'plan-store-test-secret-key';
    store = await createTestStore(provider);
    serverId = (await getPrisma().server.create({ data: { name: 'db1', host: '127.0.0.1', user: 'backup' } })).id;
  });

  afterAll(async () => {
    await store.drop();
  });

  it('creates, lists by name, edits and keeps a sealed webhook secret', async () => {
    const b = await savePlan({ input: input('nightly b', { alerts: { stale: false, webhook: { url: 'https://hooks.example.test/x', secret: 'hook-secret-0123456789' } } }) });
    const a = await savePlan({ input: input('nightly a') });
    expect((await listPlans()).map((p) => p.name)).toEqual(['nightly a', 'nightly b']);
    expect(await getPlanView({ id: a.id })).toMatchObject({ name: 'nightly a', serverId, paused: false, databases: ['shop'] });

    // An edit with the secret left blank keeps the saved one; it is stored sealed, never in clear.
    await savePlan({ id: b.id, input: input('nightly b2', { alerts: { stale: false, webhook: { url: 'https://hooks.example.test/x', secret: '' } } }) });
    expect((await getPlanView({ id: b.id })).name).toBe('nightly b2');
    expect((await loadPlanSecrets({ id: b.id })).webhookSecret).toBe('hook-secret-0123456789');
    const row = await getPrisma().plan.findUniqueOrThrow({ where: { id: b.id } });
    expect(row.webhookSecretSealed).not.toContain('hook-secret-0123456789');
    expect(row.settings).not.toContain('hook-secret-0123456789');
  });

  it('an edit that changes the schedule or un-pauses counts slots from now: no catch-up run for slots never due', async () => {
    const { id } = await savePlan({ input: input('yearly', { schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' } }) });
    const monthAgo = new Date(Date.now() - 30 * 86_400_000);
    await getPrisma().plan.update({ where: { id }, data: { lastSlotAt: monthAgo } });
    const due = async () => {
      const v = await getPlanView({ id });
      return dueSlot({ schedule: v.schedule, lastSlotAt: v.lastSlotAt, createdAt: v.createdAt, now: new Date() });
    };
    // An edit of something else keeps the slot the plan last handled.
    await savePlan({ id, input: input('yearly', { schedule: { cron: '0 3 1 1 *', timeZone: 'UTC' }, retention: { keepLast: 4 } }) });
    expect((await getPlanView({ id })).lastSlotAt).toEqual(monthAgo);
    // Now daily: thirty daily slots lie between, but none of them was ever due.
    await savePlan({ id, input: input('yearly', { schedule: { cron: '0 2 * * *', timeZone: 'UTC' } }) });
    expect(await due()).toBeNull();
    // Paused for a month through the form, then un-paused through the form: no catch-up either.
    await savePlan({ id, input: input('yearly', { schedule: { cron: '0 2 * * *', timeZone: 'UTC' }, paused: true }) });
    await getPrisma().plan.update({ where: { id }, data: { lastSlotAt: monthAgo } });
    await savePlan({ id, input: input('yearly', { schedule: { cron: '0 2 * * *', timeZone: 'UTC' }, paused: false }) });
    expect(await due()).toBeNull();
    await deletePlan({ id });
  });

  it('refuses a taken name, and pauses and deletes by id', async () => {
    const caught = await savePlan({ input: input('nightly a') }).then(() => undefined, (e: unknown) => e);
    expect(isParadumpError(caught, 'PLAN_NAME_TAKEN')).toBe(true);
    const [plan] = await listPlans();
    await setPlanPaused({ id: plan!.id, paused: true });
    expect((await getPlanView({ id: plan!.id })).paused).toBe(true);
    await deletePlan({ id: plan!.id });
    expect((await listPlans()).map((p) => p.name)).toEqual(['nightly b2']);
    const missing = await deletePlan({ id: plan!.id }).then(() => undefined, (e: unknown) => e);
    expect(isParadumpError(missing, 'PLAN_NOT_FOUND')).toBe(true);
  });
});

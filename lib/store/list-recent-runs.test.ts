import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, STORE_PROVIDERS, type TestStore } from '../../test/harness/store.ts';
import { listRecentRuns } from './list-recent-runs.ts';
import { getPrisma } from './prisma.ts';

// Exercises the hand-written migrations through the generated clients, on both stores: a column
// the schema has and the SQL lacks (or the reverse) fails here.
describe.each(STORE_PROVIDERS)('the store schema (%s)', (provider) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(provider);
  });
  afterAll(async () => {
    await store.drop();
  });

  it('keeps one client per process', () => {
    expect(getPrisma()).toBe(getPrisma());
  });

  it('lists runs newest first, with counters as numbers and no options blob', async () => {
    const prisma = getPrisma();
    await prisma.run.create({
      data: {
        kind: 'dump',
        options: JSON.stringify({ threads: 4 }),
        outDir: '/backups/older',
        startedAt: new Date('2026-11-20T08:00:00Z'),
        finishedAt: new Date('2026-11-20T08:01:00Z'),
        status: 'succeeded',
        rows: 9_007_199_254_740_993n,
        bytes: 1024n,
      },
    });
    await prisma.run.create({
      data: {
        kind: 'restore',
        options: '{}',
        outDir: '/backups/newer',
        startedAt: new Date('2026-11-21T08:00:00Z'),
        status: 'failed',
        errorCode: 'ACCESS_DENIED',
        errorMessage: 'Access denied for user',
      },
    });

    const runs = await listRecentRuns({ limit: 10 });

    expect(runs.map((run) => run.outDir)).toEqual(['/backups/newer', '/backups/older']);
    expect(runs[0]).toMatchObject({ kind: 'restore', status: 'failed', rows: 0, bytes: 0, finishedAt: null });
    expect(runs[1]?.finishedAt).toEqual(new Date('2026-11-20T08:01:00Z'));
    expect(runs[1]?.bytes).toBe(1024);
    expect(runs[0]).not.toHaveProperty('options');
    // BigInt columns keep 64-bit values exactly in the store.
    expect((await prisma.run.findFirstOrThrow({ where: { outDir: '/backups/older' } })).rows).toBe(
      9_007_199_254_740_993n,
    );
    expect(await listRecentRuns({ limit: 1 })).toHaveLength(1);
  });

  it('defaults a new run to queued, now, and zero counters', async () => {
    const before = Date.now();
    const run = await getPrisma().run.create({ data: { kind: 'pitr', options: '{}', outDir: '/backups/pitr' } });

    expect(run).toMatchObject({ status: 'queued', rows: 0n, bytes: 0n, finishedAt: null });
    expect(run.id).not.toBe('');
    expect(run.startedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps server names unique', async () => {
    const prisma = getPrisma();
    const server = await prisma.server.create({ data: { name: 'primary', host: '127.0.0.1', user: 'backup' } });

    expect(server.port).toBe(3306);
    await expect(
      prisma.server.create({ data: { name: 'primary', host: '10.0.0.2', user: 'backup' } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });
});

import { setPlanTrigger } from '../plans/plan-trigger.ts';
import { setRemoteRunSource } from '../runs/registry.ts';
import { setRunExecutor, type RunExecutor } from '../runs/run-executor.ts';
import type { Redis } from 'ioredis';
import { readWorkers, type WorkerView } from './heartbeat.ts';
import { createPlanTrigger } from './plan-schedulers.ts';
import { createQueueExecutor } from './queue-executor.ts';
import { connectRedis, redisUrl } from './redis.ts';
import { mirrorSource } from './run-events.ts';

/**
 * At start-up of a process that starts runs (the dashboard, `paradump scheduler`): with
 * PARADUMP_REDIS_URL set runs go to the queue, live runs are mirrored from the workers, and plans are
 * scheduled by BullMQ job schedulers (installed before the plan service starts); without it
 * nothing changes (runs start in this process). Returns the executor installed, or null.
 */
const globalForWorkers = globalThis as typeof globalThis & { paradumpQueueRedis?: Redis };

export function installRunExecutor({ url = redisUrl() }: { url?: string | null } = {}): RunExecutor | null {
  if (!url) return null;
  const redis = connectRedis(url, { name: 'dashboard' });
  globalForWorkers.paradumpQueueRedis = redis;
  const executor = createQueueExecutor({ redis });
  const mirrors = mirrorSource({ redis });
  const installed: RunExecutor = {
    ...executor,
    close: async () => {
      mirrors.close();
      setPlanTrigger(undefined);
      setRemoteRunSource(undefined);
      setRunExecutor(undefined);
      await executor.close();
      if (globalForWorkers.paradumpQueueRedis === redis) globalForWorkers.paradumpQueueRedis = undefined;
      redis.disconnect();
    },
  };
  setRunExecutor(installed);
  setRemoteRunSource(mirrors);
  setPlanTrigger(createPlanTrigger({ redis }));
  return installed;
}

/** For the dashboard's /workers page: where runs go, and the workers' last heartbeats. */
export async function listWorkers(): Promise<{ mode: 'in-process' } | { mode: 'queue'; workers: WorkerView[] }> {
  const redis = globalForWorkers.paradumpQueueRedis;
  if (!redis) return { mode: 'in-process' };
  return { mode: 'queue', workers: await readWorkers({ redis }) };
}

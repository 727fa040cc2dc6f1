import { setRemoteRunSource } from '../runs/registry.ts';
import { setRunExecutor, type RunExecutor } from '../runs/run-executor.ts';
import { createQueueExecutor } from './queue-executor.ts';
import { connectRedis, redisUrl } from './redis.ts';
import { mirrorSource } from './run-events.ts';

/**
 * At start-up of a process that starts runs (the dashboard, `paradump scheduler`): with
 * PARADUMP_REDIS_URL set runs go to the queue and live runs are mirrored from the workers; without it
 * nothing changes (runs start in this process). Returns the executor installed, or null.
 */
export function installRunExecutor({ url = redisUrl() }: { url?: string | null } = {}): RunExecutor | null {
  if (!url) return null;
  const redis = connectRedis(url);
  const executor = createQueueExecutor({ redis });
  const mirrors = mirrorSource({ redis });
  const installed: RunExecutor = {
    ...executor,
    close: async () => {
      mirrors.close();
      setRemoteRunSource(undefined);
      setRunExecutor(undefined);
      await executor.close();
      redis.disconnect();
    },
  };
  setRunExecutor(installed);
  setRemoteRunSource(mirrors);
  return installed;
}

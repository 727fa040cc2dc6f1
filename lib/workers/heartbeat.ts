import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keys } from './redis.ts';

/** How often a worker says it is alive, and after how long without it the dashboard calls it gone. */
export const HEARTBEAT_MS = 5_000;
export const GONE_AFTER_MS = 20_000;
/** A worker gone this long drops off the list. */
const FORGET_AFTER_MS = 3_600_000;

export const RunningJob = z.object({ kind: z.string(), id: z.string(), startedAt: z.string() });
export const WorkerView = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  version: z.string(),
  startedAt: z.string(),
  lastHeartbeat: z.string(),
  /** stopping: asked to stop (SIGTERM), finishing or handing back what it runs. */
  state: z.enum(['running', 'stopping', 'gone']),
  jobs: z.array(RunningJob),
});
export type WorkerView = z.infer<typeof WorkerView>;

export async function writeHeartbeat({ redis, worker }: { redis: Redis; worker: Omit<WorkerView, 'lastHeartbeat'> }): Promise<void> {
  const now = Date.now();
  const view: WorkerView = { ...worker, lastHeartbeat: new Date(now).toISOString() };
  await redis
    .multi()
    .set(keys.worker(worker.id), JSON.stringify(view), 'PX', FORGET_AFTER_MS)
    .zadd(keys.workers, now, worker.id)
    .zremrangebyscore(keys.workers, '-inf', now - FORGET_AFTER_MS)
    .exec();
}

export async function removeHeartbeat({ redis, id }: { redis: Redis; id: string }): Promise<void> {
  await redis.multi().del(keys.worker(id)).zrem(keys.workers, id).exec();
}

/** Every worker seen in the last hour, newest heartbeat first; `gone` when it stopped beating. */
export async function readWorkers({ redis, now = Date.now() }: { redis: Redis; now?: number }): Promise<WorkerView[]> {
  const ids = await redis.zrevrange(keys.workers, 0, 499);
  if (ids.length === 0) return [];
  const texts = await redis.mget(ids.map((id) => keys.worker(id)));
  const views: WorkerView[] = [];
  for (const text of texts) {
    const parsed = text ? WorkerView.safeParse(JSON.parse(text)) : null;
    if (!parsed?.success) continue;
    const view = parsed.data;
    views.push(now - Date.parse(view.lastHeartbeat) > GONE_AFTER_MS ? { ...view, state: 'gone' } : view);
  }
  return views;
}

// A slot per run on its server, as a sorted set scored by expiry: a dead worker's slot lapses; the
// same run (taken over) gets its own slot back at once.
const ACQUIRE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export const SLOT_TTL_MS = 30_000;

/** Takes (or refreshes) one of the server's `limit` run slots for `member`. False: the server is busy. */
export async function acquireServerSlot({ redis, serverId, member, limit }: { redis: Redis; serverId: string; member: string; limit: number }): Promise<boolean> {
  const now = Date.now();
  return (await redis.eval(ACQUIRE, 1, keys.serverSlots(serverId), now, now + SLOT_TTL_MS, limit, member, SLOT_TTL_MS * 2)) === 1;
}

export async function releaseServerSlot({ redis, serverId, member }: { redis: Redis; serverId: string; member: string }): Promise<void> {
  await redis.zrem(keys.serverSlots(serverId), member);
}

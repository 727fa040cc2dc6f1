import { Redis } from 'ioredis';
import type { JobKind } from '../runs/run-executor.ts';

/** The Redis the queue lives in; unset: runs stay in the dashboard's process. */
export function redisUrl(): string | null {
  return process.env.PARADUMP_REDIS_URL?.trim() || null;
}

/**
 * A connection as BullMQ wants it (no per-command retry limit: it blocks on purpose). ioredis
 * reconnects by itself (its default retry strategy, forever) and resends what was in flight; commands
 * issued meanwhile wait in its offline queue. `name` says which connection, in the log.
 */
export function connectRedis(url: string, { name = 'main' }: { name?: string } = {}): Redis {
  return watchRedis(new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false }), name);
}

/** Another connection with the same options (a subscriber, a blocking reader, BullMQ's), watched as connectRedis's. */
export function duplicateRedis(redis: Redis, name: string): Redis {
  return watchRedis(redis.duplicate(), name);
}

/**
 * Every connection has an 'error' listener: a Redis restart is an outage to ride out, not an
 * unhandled error. It says so once per outage (not once per reconnect try), and again when back.
 */
function watchRedis(redis: Redis, name: string): Redis {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    console.error(`paradump: Redis connection (${name}) lost, reconnecting: ${error.message}`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    console.error(`paradump: Redis connection (${name}) back`);
  });
  return redis;
}

/** Key names, all under one prefix so a shared Redis can hold other things. */
export const keys = {
  queue: (kind: JobKind) => `paradump-${kind}`,
  /** The plans' job schedulers (lib/workers/plan-schedulers.ts). */
  planQueue: 'paradump-plan',
  /** A run's changes, one entry per frame interval (lib/workers/run-events.ts). */
  events: (runId: string) => `paradump:run:${runId}:events`,
  cancel: 'paradump:cancel',
  workers: 'paradump:workers',
  worker: (id: string) => `paradump:worker:${id}`,
  serverSlots: (serverId: string) => `paradump:server:${serverId}:slots`,
};

/** BullMQ job ids may not hold ':'; one job per run attempt submitted. */
export const jobId = (kind: JobKind, id: string, attempt: number) => `${kind}-${id}-${attempt}`;

import { Redis } from 'ioredis';
import type { JobKind } from '../runs/run-executor.ts';

/** The Redis the queue lives in; unset: runs stay in the dashboard's process. */
export function redisUrl(): string | null {
  return process.env.PARADUMP_REDIS_URL?.trim() || null;
}

/** A connection as BullMQ wants it (no per-command retry limit: it blocks on purpose). */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Key names, all under one prefix so a shared Redis can hold other things. */
export const keys = {
  queue: (kind: JobKind) => `paradump-${kind}`,
  /** A run's changes, one entry per frame interval (lib/workers/run-events.ts). */
  events: (runId: string) => `paradump:run:${runId}:events`,
  cancel: 'paradump:cancel',
  workers: 'paradump:workers',
  worker: (id: string) => `paradump:worker:${id}`,
  serverSlots: (serverId: string) => `paradump:server:${serverId}:slots`,
};

/** BullMQ job ids may not hold ':'; one job per run attempt submitted. */
export const jobId = (kind: JobKind, id: string, attempt: number) => `${kind}-${id}-${attempt}`;

import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { getPrisma } from '../store/prisma.ts';
import { JOB_KINDS, type JobKind, type RunExecutor } from '../runs/run-executor.ts';
import { duplicateRedis, jobId, keys } from './redis.ts';

/** BullMQ priorities: lower goes first. */
const PRIORITY = { manual: 1, scheduled: 10 } as const;

export interface JobData {
  kind: JobKind;
  id: string;
  serverId: string | null;
}

/**
 * Runs go to BullMQ, one queue per kind; `paradump worker` processes run them. `finished` settles
 * when the job completes or fails for good (a stalled one is retried and settles later).
 */
export function createQueueExecutor({ redis }: { redis: Redis }): RunExecutor {
  const connections: Redis[] = [];
  const duplicate = (name: string) => {
    const c = duplicateRedis(redis, name);
    connections.push(c);
    return c;
  };
  const queues = new Map(
    JOB_KINDS.map((kind) => {
      const queue = new Queue<JobData>(keys.queue(kind), { connection: duplicate(`queue ${kind}`) });
      // BullMQ reports what its connection reports; the connection's own listener has said it.
      queue.on('error', () => undefined);
      return [kind, queue];
    }),
  );
  const events = new Map<JobKind, QueueEvents>();
  const waiting = new Map<string, () => void>();
  const eventsOf = async (kind: JobKind) => {
    let e = events.get(kind);
    if (!e) {
      e = new QueueEvents(keys.queue(kind), { connection: duplicate(`queue events ${kind}`) });
      e.on('error', () => undefined);
      const settle = ({ jobId: id }: { jobId: string }) => {
        waiting.get(id)?.();
        waiting.delete(id);
      };
      e.on('completed', settle);
      e.on('failed', settle);
      events.set(kind, e);
      await e.waitUntilReady();
    }
    return e;
  };
  return {
    mode: 'queue',
    async submit(job) {
      await eventsOf(job.kind);
      const id = jobId(job.kind, job.id, job.attempt);
      const finished = new Promise<void>((resolve) => waiting.set(id, resolve));
      await queues.get(job.kind)!.add(job.kind, { kind: job.kind, id: job.id, serverId: job.serverId }, { jobId: id, priority: PRIORITY[job.priority ?? 'manual'], removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } });
      return { finished };
    },
    async requestCancel({ kind, id }) {
      // Still waiting in the queue: cancelled here, and the worker that gets it finds nothing to claim.
      if (kind !== 'drill') {
        const now = new Date();
        const queued = await getPrisma().run.updateMany({ where: { id, status: 'queued' }, data: { status: 'cancelled', finishedAt: now, errorCode: 'ABORTED', errorMessage: 'cancelled before a worker started it' } });
        if (queued.count === 1) return true;
      }
      return (await redis.publish(keys.cancel, JSON.stringify({ kind, id }))) > 0;
    },
    async close() {
      for (const e of events.values()) await e.close();
      for (const q of queues.values()) await q.close();
      for (const c of connections) c.disconnect();
    },
  };
}

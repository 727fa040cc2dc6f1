import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PlanTrigger } from '../plans/plan-trigger.ts';
import { duplicateRedis, keys } from './redis.ts';

const schedulerId = (planId: string) => `plan-${planId}`;

/**
 * Plans' schedules as BullMQ job schedulers, one per plan not paused (its cron and time zone):
 * Redis holds when each plan is next due, and the job it fires wakes the plan scheduler of one
 * process that runs it (the dashboard or `paradump scheduler`; with several, one of them).
 */
export function createPlanTrigger({ redis }: { redis: Redis }): PlanTrigger {
  return {
    async start({ due, plans }) {
      const queueConnection = duplicateRedis(redis, 'plan schedules');
      const workerConnection = duplicateRedis(redis, 'plan schedule worker');
      const queue = new Queue(keys.planQueue, { connection: queueConnection });
      queue.on('error', () => undefined);
      const fire = async (job: Job) => {
        // The slot is due by this machine's clock too (Redis's may run a little ahead).
        const at = job.timestamp + (job.opts.delay ?? 0);
        if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
        await due();
      };
      const worker = new Worker(keys.planQueue, fire, { connection: workerConnection, concurrency: 1 });
      worker.on('error', (error) => console.error('paradump: plan schedule worker', error));
      const known = new Map<string, string>();
      const sync = async () => {
        const wanted = new Map((await plans()).filter((p) => !p.paused).map((p) => [schedulerId(p.id), p.schedule]));
        for (const [id, schedule] of wanted) {
          const fingerprint = `${schedule.cron}\u0000${schedule.timeZone}`;
          if (known.get(id) === fingerprint) continue;
          try {
            await queue.upsertJobScheduler(id, { pattern: schedule.cron, tz: schedule.timeZone }, { name: 'plan', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
            known.set(id, fingerprint);
          } catch (error) {
            console.error(`paradump: could not schedule ${id} in Redis`, error);
          }
        }
        // Plans deleted or paused, whichever process scheduled them.
        for (const s of await queue.getJobSchedulers(0, -1)) {
          if (wanted.has(s.key)) continue;
          await queue.removeJobScheduler(s.key);
          known.delete(s.key);
        }
      };
      await sync();
      return {
        sync,
        async stop() {
          await worker.close();
          await queue.close();
          queueConnection.disconnect();
          workerConnection.disconnect();
        },
      };
    },
  };
}

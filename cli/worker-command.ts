import { parseArgs } from 'node:util';
import { ParadumpError } from '../lib/core/errors.ts';
import { JOB_KINDS, type JobKind } from '../lib/runs/run-executor.ts';
import { migrateStoreOnStart } from '../lib/store/migrate-on-start.ts';
import { redisUrl } from '../lib/workers/redis.ts';
import { runWorkerProcess } from '../lib/workers/run-worker.ts';
import { UsageError, withInterrupt, type Io } from './args.ts';

export const WORKER_USAGE = `  paradump worker [--concurrency N] [--server-concurrency N] [--kinds dump,restore] [--grace-seconds S]
    takes runs from the queue (PARADUMP_REDIS_URL) and runs them with the same engine, over the same
    store (PARADUMP_DATABASE_URL, PARADUMP_DUMP_ROOT on shared storage, PARADUMP_SECRET as the app);
    SIGTERM: takes no more jobs, lets running ones go on for --grace-seconds, hands the rest back
`;

const positive = (name: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
};

export async function workerCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { concurrency: { type: 'string' }, 'server-concurrency': { type: 'string' }, kinds: { type: 'string' }, 'grace-seconds': { type: 'string' } } });
  const url = redisUrl();
  if (!url) throw new ParadumpError('BAD_OPTION', 'paradump worker needs PARADUMP_REDIS_URL (the queue)', { details: { path: 'PARADUMP_REDIS_URL' } });
  const kinds = values.kinds ? values.kinds.split(',').map((k) => k.trim()) : [...JOB_KINDS];
  const bad = kinds.find((k) => !JOB_KINDS.includes(k as JobKind));
  if (bad) throw new UsageError(`--kinds: unknown kind "${bad}" (${JOB_KINDS.join(', ')})`);
  await migrateStoreOnStart();
  const lockMs = Number(process.env.PARADUMP_WORKER_LOCK_MS) || undefined;
  const stalledMs = Number(process.env.PARADUMP_WORKER_STALLED_MS) || undefined;
  await withInterrupt((signal) =>
    runWorkerProcess({
      settings: { redisUrl: url, concurrency: positive('concurrency', values.concurrency, 2), serverConcurrency: positive('server-concurrency', values['server-concurrency'], 2), kinds: kinds as JobKind[], lockMs, stalledMs, graceMs: positive('grace-seconds', values['grace-seconds'], 0) * 1000 },
      signal,
      say: (line) => io.stdout.write(`paradump: ${line}\n`),
    }),
  );
  return 0;
}

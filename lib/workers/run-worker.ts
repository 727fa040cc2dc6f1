import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DelayedError, WaitingError, Worker, type Job } from 'bullmq';
import { isParadumpError } from '../core/errors.ts';
import '../runs/run-attempt.ts';
import '../runs/start-restore.ts';
import '../drills/drill-service.ts';
// A restore from a verified copy opens the saved target's credentials (registered by lib/targets).
import '../targets/copy-source.ts';
import { attemptHandler, JOB_KINDS, type Attempt, type JobKind } from '../runs/run-executor.ts';
import { acquireServerSlot, HEARTBEAT_MS, releaseServerSlot, writeHeartbeat, removeHeartbeat, type WorkerView } from './heartbeat.ts';
import type { JobData } from './queue-executor.ts';
import { connectRedis, duplicateRedis, keys } from './redis.ts';
import { forwardRun } from './run-events.ts';

export interface WorkerSettings {
  redisUrl: string;
  /** Jobs at once in this process, per kind. @default 2 */
  concurrency?: number;
  /** Runs at once per source/target server, across all workers. @default 2 */
  serverConcurrency?: number;
  kinds?: readonly JobKind[];
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this. @default 30000 */
  lockMs?: number;
  /** How often stalled jobs are looked for. @default lockMs / 2 */
  stalledMs?: number;
  /** On SIGTERM, how long running jobs may go on before they are handed back. @default 0 */
  graceMs?: number;
}

const SLOT_RETRY_MS = 2_000;

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface Running {
  kind: JobKind;
  id: string;
  serverId: string | null;
  startedAt: string;
  attempt: Attempt;
}

/**
 * A worker process's life: takes jobs from the kinds' queues and runs each attempt with the same
 * engine as the dashboard, forwarding its changes through Redis; beats its heart; cancels on request.
 * When `signal` aborts it takes no more jobs, lets running ones go on for `graceMs`, hands the rest
 * back (recorded `interrupted`, back in the queue for the next worker), and resolves.
 */
export async function runWorkerProcess({ settings, signal, say }: { settings: WorkerSettings; signal: AbortSignal; say: (line: string) => void }): Promise<void> {
  const redis = connectRedis(settings.redisUrl, { name: 'worker' });
  const lockMs = settings.lockMs ?? 30_000;
  const id = `${os.hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const running = new Map<string, Running>();
  const self: Omit<WorkerView, 'lastHeartbeat'> = { id, host: os.hostname(), pid: process.pid, version: version(), startedAt: new Date().toISOString(), state: 'running', jobs: [] };
  const beat = async () => {
    self.jobs = [...running.values()].map((r) => ({ kind: r.kind, id: r.id, startedAt: r.startedAt }));
    await writeHeartbeat({ redis, worker: self });
    for (const r of running.values()) if (r.serverId) await acquireServerSlot({ redis, serverId: r.serverId, member: r.id, limit: Number.MAX_SAFE_INTEGER });
  };
  await beat();
  const heart = setInterval(() => void beat().catch((error: unknown) => console.error('paradump: worker heartbeat', error)), HEARTBEAT_MS);

  const cancels = duplicateRedis(redis, 'cancel requests');
  await cancels.subscribe(keys.cancel);
  cancels.on('message', (_channel: string, text: string) => {
    const { id: runId } = JSON.parse(text) as { id: string };
    const r = running.get(runId);
    if (r) {
      say(`cancel requested for ${r.kind} ${runId}`);
      r.attempt.cancel();
    }
  });

  const process1 = async (job: Job<JobData>, token?: string) => {
    const { kind, id: runId, serverId } = job.data;
    if (serverId && !(await acquireServerSlot({ redis, serverId, member: runId, limit: settings.serverConcurrency ?? 2 }))) {
      await job.moveToDelayed(Date.now() + SLOT_RETRY_MS, token);
      throw new DelayedError();
    }
    let attempt: Attempt;
    try {
      attempt = await attemptHandler(kind)({ id: runId }, { takeOver: true, worker: `${self.host} (pid ${self.pid})` });
    } catch (error) {
      if (serverId) await releaseServerSlot({ redis, serverId, member: runId });
      // Cancelled while queued, resumed by hand meanwhile, deleted: nothing to run, and nothing to retry.
      if (isParadumpError(error) && ['ALREADY_RUNNING', 'RUN_NOT_FOUND', 'NOT_RESUMABLE'].includes(error.code)) {
        say(`${kind} ${runId}: nothing to run (${error.message})`);
        return { skipped: error.code };
      }
      throw error;
    }
    running.set(runId, { kind, id: runId, serverId, startedAt: new Date().toISOString(), attempt });
    say(`${kind} ${runId}: started`);
    const forward = attempt.live ? await forwardRun({ redis, live: attempt.live }) : null;
    try {
      await attempt.finished;
    } finally {
      await forward?.stop().catch((error: unknown) => console.error(`paradump: forwarding the end of ${runId}`, error));
      running.delete(runId);
      if (serverId) await releaseServerSlot({ redis, serverId, member: runId }).catch(() => undefined);
    }
    if (attempt.handedBack) {
      say(`${kind} ${runId}: handed back to the queue`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    say(`${kind} ${runId}: ended`);
    return { status: attempt.live?.state.status ?? 'ended' };
  };

  const connections = (settings.kinds ?? JOB_KINDS).map((kind) => duplicateRedis(redis, `worker ${kind}`));
  const workers = (settings.kinds ?? JOB_KINDS).map(
    (kind, i) =>
      new Worker<JobData>(keys.queue(kind), process1, {
        connection: connections[i]!,
        concurrency: settings.concurrency ?? 2,
        lockDuration: lockMs,
        stalledInterval: settings.stalledMs ?? Math.max(1_000, Math.floor(lockMs / 2)),
        maxStalledCount: 3,
      }),
  );
  for (const w of workers) w.on('error', (error) => console.error('paradump: worker', error));
  say(`worker ${id} running (${(settings.kinds ?? JOB_KINDS).join(', ')}); SIGTERM stops it (running jobs are handed back)`);

  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  say('stopping: taking no more jobs');
  self.state = 'stopping';
  await beat().catch(() => undefined);
  const closing = Promise.all(workers.map((w) => w.close()));
  const deadline = Date.now() + (settings.graceMs ?? 0);
  while (running.size > 0 && Date.now() < deadline) await Promise.race([...[...running.values()].map((r) => r.attempt.finished), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  for (const r of running.values()) {
    say(`${r.kind} ${r.id}: handing back`);
    r.attempt.handBack();
  }
  await closing;
  clearInterval(heart);
  await removeHeartbeat({ redis, id }).catch(() => undefined);
  await cancels.quit();
  // Connections handed to BullMQ are the caller's to close.
  for (const c of connections) c.disconnect();
  redis.disconnect();
  say('worker stopped');
}

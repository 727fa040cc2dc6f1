import { ParadumpError } from '../core/errors.ts';
import type { LiveRun } from './registry.ts';

/** What runs as a job: a dump or restore run (a Run row) or a restore drill (a Drill row). */
export type JobKind = 'dump' | 'restore' | 'drill';
export const JOB_KINDS: readonly JobKind[] = ['dump', 'restore', 'drill'];

/** A run to start. `serverId` is the server it reads or loads (per-server limits); `attempt` the run's attempt when submitted. */
export interface RunJob {
  kind: JobKind;
  id: string;
  serverId: string | null;
  /** Who is waiting: a person ("run now", a form) goes before a schedule. @default 'manual' */
  priority?: 'manual' | 'scheduled';
  attempt: number;
}

/** Where and how one attempt runs. */
export interface AttemptContext {
  /**
   * The job came back from a worker that stopped without handing it back (BullMQ found it stalled):
   * a run the store still calls `running` may be claimed (its attempt number fences the old one).
   */
  takeOver: boolean;
  /** The worker running it (host and pid), for the run log; null in the dashboard's own process. */
  worker: string | null;
}

/** One attempt of a job, running in this process. */
export interface Attempt {
  /** The live run (dumps and restores), for forwarding its changes; null for a drill. */
  live: LiveRun | null;
  /** Settles when the attempt has ended and its end is recorded, whatever the outcome. */
  finished: Promise<void>;
  /** Stops it as a cancel does, but records it `interrupted` (HANDED_BACK), to be taken up again. */
  handBack(): void;
  readonly handedBack: boolean;
  cancel(): void;
}

/** Starts one attempt of a job in this process: claims it in the store, then runs the engine. */
export type AttemptHandler = (job: { id: string }, context: AttemptContext) => Promise<Attempt>;

/**
 * "Start a run", in this process or on a queue for worker machines. The rest of the app submits
 * through runExecutor() and does not know which one it is.
 */
export interface RunExecutor {
  readonly mode: 'in-process' | 'queue';
  /** Resolves once the job is started (in process) or queued; `finished` when it has ended. */
  submit(job: RunJob): Promise<{ finished: Promise<void> }>;
  /** Asks whoever runs it to stop it (a queued one is cancelled before it starts). False: it is not running anywhere. */
  requestCancel(job: { kind: JobKind; id: string }): Promise<boolean>;
  close(): Promise<void>;
}

const globalForExecutor = globalThis as typeof globalThis & { paradumpRunExecutor?: RunExecutor; paradumpAttemptHandlers?: Map<JobKind, AttemptHandler> };

function handlers(): Map<JobKind, AttemptHandler> {
  globalForExecutor.paradumpAttemptHandlers ??= new Map();
  return globalForExecutor.paradumpAttemptHandlers;
}

/** Each kind's attempt, registered by the layer that knows how to run it (dumps and restores here, drills in lib/drills). */
export function registerAttemptHandler(kind: JobKind, handler: AttemptHandler): void {
  handlers().set(kind, handler);
}

export function attemptHandler(kind: JobKind): AttemptHandler {
  const handler = handlers().get(kind);
  if (!handler) throw new ParadumpError('INTERNAL', `no ${kind} runs in this process (its module was not loaded)`);
  return handler;
}

/** Today's behaviour: the attempt starts right away in this process. */
export const inProcessExecutor: RunExecutor = {
  mode: 'in-process',
  async submit(job) {
    const attempt = await attemptHandler(job.kind)({ id: job.id }, { takeOver: false, worker: null });
    return { finished: attempt.finished };
  },
  requestCancel: () => Promise.resolve(false),
  close: () => Promise.resolve(),
};

export function runExecutor(): RunExecutor {
  return globalForExecutor.paradumpRunExecutor ?? inProcessExecutor;
}

/** Installed once per process at start-up (lib/workers chooses, from PARADUMP_REDIS_URL). */
export function setRunExecutor(executor: RunExecutor | undefined): void {
  globalForExecutor.paradumpRunExecutor = executor;
}

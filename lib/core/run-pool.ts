import { ParadumpError } from './errors.ts';

/**
 * Runs tasks on a fixed set of connections, in order. A free connection takes the first task that
 * is `eligible` and `preferred`, else the first that is `eligible`, else waits for a running task
 * to finish. The first failure stops the others from taking new tasks, waits for running ones to
 * settle, and rethrows.
 */
export async function runPool<T, W extends { destroy(): void }>(args: {
  workers: readonly W[];
  tasks: readonly T[];
  signal: AbortSignal | undefined;
  /** Which tasks may start now. @default every task */
  eligible?: (task: T) => boolean;
  preferred?: (task: T) => boolean;
  /**
   * On abort, destroy the connections so statements in flight stop at once (the restore: the server
   * rolls back). Off, tasks in flight see the signal themselves and the connections stay usable.
   */
  destroyOnAbort?: boolean;
  run: (task: T, conn: W, worker: number) => Promise<void>;
}): Promise<void> {
  const pending = [...args.tasks];
  const eligible = args.eligible ?? (() => true);
  let failure: unknown = null;
  let changed: () => void = () => undefined;
  let settled = new Promise<void>((r) => (changed = r));
  const notify = () => {
    const c = changed;
    settled = new Promise<void>((r) => (changed = r));
    c();
  };
  let running = 0;
  const loop = async (conn: W, worker: number) => {
    while (failure === null) {
      if (args.signal?.aborted) {
        failure ??= args.signal.reason ?? new Error('aborted');
        return;
      }
      if (pending.length === 0) return;
      const preferred = args.preferred;
      const first = preferred ? pending.findIndex((t) => eligible(t) && preferred(t)) : -1;
      const i = first >= 0 ? first : pending.findIndex(eligible);
      if (i < 0) {
        // Everything left waits for a running task: wait for one to finish.
        if (running === 0) throw new ParadumpError('INTERNAL', 'run pool: no task can start');
        await settled;
        continue;
      }
      const [task] = pending.splice(i, 1);
      running++;
      try {
        await args.run(task!, conn, worker);
      } catch (error) {
        failure ??= error;
      } finally {
        running--;
        notify();
      }
    }
  };
  // An abort interrupts loads in flight: their connections are destroyed, the server rolls back.
  const onAbort = () => {
    if (args.destroyOnAbort) args.workers.forEach((w) => w.destroy());
    notify();
  };
  args.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(args.workers.map((w, i) => loop(w, i)));
  } finally {
    args.signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) throw failure;
}

import { flavorSql, type ServerFlavor } from '../mysql/flavor.ts';

/** A dump's Session or a restore's TargetConnection. */
export interface StatusSession {
  flavor: ServerFlavor;
  query<T>(sql: string): Promise<T[]>;
}

/** What a throttled run reports: new chunks paused (or resumed) because the server is busy. */
export interface ThrottleEvent {
  type: 'throttle';
  reason: 'threads-running';
  state: 'paused' | 'resumed';
  /** Threads_running when it was read. */
  value: number;
  limit: number;
}

/** "throttled: Threads_running 84 > 60" — the words the live view and the CLI show. */
export function throttleWords(event: ThrottleEvent): string {
  return event.state === 'paused'
    ? `throttled: Threads_running ${event.value} > ${event.limit}; new chunks wait`
    : `resumed: Threads_running ${event.value} ≤ ${event.limit}`;
}

/** @default 500 */
export const POLL_MS = 500;

/**
 * Reads `Threads_running` on its own session every `intervalMs`; while it is above `limit`, `wait()`
 * holds new chunks back (chunks already reading finish: stopping them would only make the server
 * redo their work). The first reading is taken before `start` resolves, so a run started on a busy
 * server begins paused. A reading that fails is kept and thrown to the next `wait()`: a run that
 * cannot see the server's load does not carry on as if it were light.
 */
export class ThreadsRunningGate {
  private paused = false;
  private failure: unknown = null;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly session: StatusSession,
    readonly limit: number,
    private readonly intervalMs: number,
    private readonly onEvent: (event: ThrottleEvent) => void,
  ) {}

  static async start(options: { session: StatusSession; limit: number; intervalMs?: number; onEvent: (event: ThrottleEvent) => void }): Promise<ThreadsRunningGate> {
    const gate = new ThreadsRunningGate(options.session, options.limit, options.intervalMs ?? POLL_MS, options.onEvent);
    await gate.poll();
    gate.schedule();
    return gate;
  }

  /** Resolves at once while the server is below the limit, else when it drops below (or `signal` aborts). */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      signal?.throwIfAborted();
      if (!this.paused || this.closed) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      // poll() never rejects: a failed reading is kept for wait().
      void this.poll().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const rows = await this.session.query<{ Value: string }>(flavorSql(this.session.flavor).threadsRunning);
      const value = Number(rows[0]?.Value ?? 0);
      if (!this.paused && value > this.limit) {
        this.paused = true;
        this.onEvent({ type: 'throttle', reason: 'threads-running', state: 'paused', value, limit: this.limit });
      } else if (this.paused && value <= this.limit) {
        this.paused = false;
        this.onEvent({ type: 'throttle', reason: 'threads-running', state: 'resumed', value, limit: this.limit });
        this.wake();
      }
    } catch (error) {
      if (this.closed) return;
      this.failure = error;
      this.closed = true;
      this.wake();
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

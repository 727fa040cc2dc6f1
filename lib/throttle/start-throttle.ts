import { ByteRate } from './byte-rate.ts';
import { ThreadsRunningGate, type StatusSession, type ThrottleEvent } from './threads-running-gate.ts';

/** One run's throttles: null members are off. */
export interface Throttle {
  rate: ByteRate | null;
  gate: ThreadsRunningGate | null;
  /** Stops polling; the gate's session is the caller's to close. */
  close(): void;
}

/**
 * The throttles `maxRate` and `maxThreadsRunning` ask for. The gate polls on a session of its own
 * (`openSession`, opened only when the gate is on), so a worker's long read never delays a reading.
 */
export async function startThrottle(options: {
  maxRate?: number | undefined;
  maxThreadsRunning?: number | undefined;
  openSession: () => Promise<StatusSession>;
  onEvent: (event: ThrottleEvent) => void;
  intervalMs?: number;
}): Promise<Throttle> {
  const rate = options.maxRate ? new ByteRate(options.maxRate) : null;
  const gate =
    options.maxThreadsRunning === undefined
      ? null
      : await ThreadsRunningGate.start({ session: await options.openSession(), limit: options.maxThreadsRunning, onEvent: options.onEvent, ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}) });
  return { rate, gate, close: () => gate?.close() };
}

export type { ThrottleEvent };

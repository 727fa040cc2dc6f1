import { getPrisma } from '../store/prisma.ts';

/** How often the process running a drill says so in the store. */
export const HEARTBEAT_MS = 2_000;
/** A running drill whose heartbeat is older than this lost its process (killed, crashed, machine gone). */
export const STALE_MS = 30_000;

/**
 * While the drill runs: writes its heartbeat every `everyMs`, and aborts it when Cancel was asked in
 * another process (the dashboard and `paradump scheduler` share one store) or when another process
 * already declared it interrupted. One conditional update does both. Resolves with a stop function.
 */
export function keepDrillAlive({ id, controller, everyMs = HEARTBEAT_MS }: { id: string; controller: AbortController; everyMs?: number }): () => void {
  let beating: Promise<void> | null = null;
  const timer = setInterval(() => {
    beating ??= getPrisma()
      .drill.updateMany({ where: { id, status: 'running', cancelAskedAt: null }, data: { heartbeatAt: new Date() } })
      .then(
        ({ count }) => {
          if (count === 0) controller.abort();
        },
        // A store that does not answer once is no reason to stop a drill; a long outage makes it stale.
        () => undefined,
      )
      .finally(() => (beating = null));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

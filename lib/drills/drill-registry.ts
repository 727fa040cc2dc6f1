// The drills running in this process, on globalThis: instrumentation, route handlers and server
// actions may each load their own copy of this module, and Cancel must reach the one that runs.

interface RunningDrill {
  planId: string;
  controller: AbortController;
  finished: Promise<unknown>;
}

const globalForDrills = globalThis as typeof globalThis & { paradumpDrills?: Map<string, RunningDrill> };
const running = (globalForDrills.paradumpDrills ??= new Map());

export function addRunningDrill({ id, planId, controller, finished }: { id: string } & RunningDrill): void {
  running.set(id, { planId, controller, finished });
  const forget = () => running.delete(id);
  finished.then(forget, forget);
}

// Plans whose drill is being started (between the check and addRunningDrill there are awaits: the
// scheduler's pass and a Run drill now click could otherwise both start one).
const globalForStarting = globalThis as typeof globalThis & { paradumpDrillsStarting?: Set<string> };
const starting = (globalForStarting.paradumpDrillsStarting ??= new Set());

export function isPlanDrilling(planId: string): boolean {
  if (starting.has(planId)) return true;
  for (const drill of running.values()) if (drill.planId === planId) return true;
  return false;
}

/**
 * Claims the plan for one drill start in this process, synchronously; the returned release is
 * called once the drill is registered (or its start failed). Null: a drill of the plan is running
 * or starting.
 */
export function reservePlanDrill(planId: string): (() => void) | null {
  if (isPlanDrilling(planId)) return null;
  starting.add(planId);
  return () => starting.delete(planId);
}

export function isDrillRunningHere(id: string): boolean {
  return running.has(id);
}

/** Aborts the drill; false when it is not running in this process. */
export function abortDrill(id: string): boolean {
  const drill = running.get(id);
  if (!drill) return false;
  drill.controller.abort();
  return true;
}

/** Resolves once every drill running in this process has ended (for a clean stop and tests). */
export async function drillsIdle(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running.values()].map((d) => d.finished));
}

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

export function isPlanDrilling(planId: string): boolean {
  for (const drill of running.values()) if (drill.planId === planId) return true;
  return false;
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

import { markInterruptedRuns } from '../runs/control-run.ts';
import { migrateStoreOnStart } from '../store/migrate-on-start.ts';
import { startPlanService } from './plan-service.ts';
import { listPlans } from './plan-store.ts';
import { describeSchedule, nextRuns } from './schedule.ts';

/**
 * The scheduler without the web UI (`paradump scheduler`): the same start-up steps as the app
 * (migrations, interrupted runs), then plans (and the `alongside` services) run until `signal` aborts;
 * running backups are awaited.
 */
export async function runSchedulerProcess({ signal, say, alongside = [] }: { signal: AbortSignal; say: (line: string) => void; alongside?: (() => Promise<{ name: string; stop(): Promise<void> }>)[] }): Promise<void> {
  await migrateStoreOnStart();
  const interrupted = await markInterruptedRuns();
  if (interrupted.length > 0) say(`${interrupted.length} run(s) were interrupted by the last shutdown`);
  const service = await startPlanService();
  // Services of higher layers (the drill scheduler) that run beside the plans, started by the caller's choice.
  const others = [];
  for (const start of alongside) {
    const other = await start();
    say(`${other.name} running`);
    others.push(other);
  }
  const now = new Date();
  for (const plan of await listPlans()) {
    const next = plan.paused ? 'paused' : `next ${nextRuns({ schedule: plan.schedule, after: now, count: 1 })[0]?.toISOString() ?? 'never'}`;
    say(`plan “${plan.name}”: ${describeSchedule(plan.schedule)}, ${next}`);
  }
  say('scheduler running; Ctrl-C stops it (running backups finish first)');
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  say('stopping: waiting for running backups');
  for (const other of others) await other.stop();
  await service.stop();
}

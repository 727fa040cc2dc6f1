import { parseArgs } from 'node:util';
import { startDrillService } from '../lib/drills/drill-service.ts';
import { runSchedulerProcess } from '../lib/plans/run-scheduler-process.ts';
import { installRunExecutor } from '../lib/workers/install.ts';
import { withInterrupt, type Io } from './args.ts';

export const SCHEDULER_USAGE = `  paradump scheduler
    runs the dashboard's backup plans and their restore drills without the web UI, over the same store
    (PARADUMP_DATABASE_URL, PARADUMP_DUMP_ROOT, PARADUMP_SECRET as for the app; start the app with
    PARADUMP_SCHEDULER=off so only one process schedules); stops on SIGINT/SIGTERM
`;

export async function schedulerCommand(args: string[], io: Io): Promise<number> {
  parseArgs({ args, strict: true, options: {} });
  // With PARADUMP_REDIS_URL the plans' runs go to the queue (paradump worker runs them).
  const executor = installRunExecutor();
  try {
    await withInterrupt((signal) => runSchedulerProcess({ signal, say: (line) => io.stdout.write(`paradump: ${line}\n`), alongside: [() => startDrillService()] }));
  } finally {
    await executor?.close();
  }
  return 0;
}

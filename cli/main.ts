import { isParadumpError, type ErrorCode } from '../lib/core/errors.ts';
import { UsageError, type Io } from './args.ts';

interface Command {
  usage: string;
  run: (args: string[], io: Io) => Promise<number>;
}

/**
 * Each command: its usage text and its runner (parse flags, call one lib function, report), loaded
 * only when asked for: a dump does not load the scheduler's and the worker's store, queue and
 * schedule packages (about 35 MB of a dump's resident memory).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  dump: () => import('./dump-command.ts').then((m) => ({ usage: m.DUMP_USAGE, run: m.dumpCommand })),
  restore: () => import('./restore-command.ts').then((m) => ({ usage: m.RESTORE_USAGE, run: m.restoreCommand })),
  verify: () => import('./verify-command.ts').then((m) => ({ usage: m.VERIFY_USAGE, run: m.verifyCommand })),
  pitr: () => import('./pitr-command.ts').then((m) => ({ usage: m.PITR_USAGE, run: m.pitrCommand })),
  scheduler: () => import('./scheduler-command.ts').then((m) => ({ usage: m.SCHEDULER_USAGE, run: m.schedulerCommand })),
  worker: () => import('./worker-command.ts').then((m) => ({ usage: m.WORKER_USAGE, run: m.workerCommand })),
};

const usage = async () => `paradump — parallel, chunked, consistent MySQL/MariaDB dumps and restores

Usage:
${(await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).usage))).join('\n')}`;

const EXIT_USAGE = 2;
// NOTHING_TO_RESUME: the command does not fit the directory's state (run it without --resume).
const USAGE_CODES: ErrorCode[] = ['BAD_OPTION', 'BAD_URI', 'NOTHING_TO_RESUME'];

export async function main(argv: string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(await usage());
    return command ? 0 : EXIT_USAGE;
  }
  try {
    const load = COMMANDS[command];
    if (!load) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const entry = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`Usage:\n${entry.usage}`);
      return 0;
    }
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`paradump: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isParadumpError(error)) {
      io.stderr.write(`paradump: ${error.message} [${error.code}]\n`);
      return USAGE_CODES.includes(error.code) ? EXIT_USAGE : 1;
    }
    io.stderr.write(`paradump: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

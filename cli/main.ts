import { isParadumpError, type ErrorCode } from '../lib/core/errors.ts';
import { UsageError, type Io } from './args.ts';
import { DUMP_USAGE, dumpCommand } from './dump-command.ts';
import { PITR_USAGE, pitrCommand } from './pitr-command.ts';
import { RESTORE_USAGE, restoreCommand } from './restore-command.ts';
import { SCHEDULER_USAGE, schedulerCommand } from './scheduler-command.ts';
import { VERIFY_USAGE, verifyCommand } from './verify-command.ts';
import { WORKER_USAGE, workerCommand } from './worker-command.ts';

/** Each command: its usage text and its runner (parse flags, call one lib function, report). */
const COMMANDS: Record<string, { usage: string; run: (args: string[], io: Io) => Promise<number> }> = {
  dump: { usage: DUMP_USAGE, run: dumpCommand },
  restore: { usage: RESTORE_USAGE, run: restoreCommand },
  verify: { usage: VERIFY_USAGE, run: verifyCommand },
  pitr: { usage: PITR_USAGE, run: pitrCommand },
  scheduler: { usage: SCHEDULER_USAGE, run: schedulerCommand },
  worker: { usage: WORKER_USAGE, run: workerCommand },
};

const usage = () => `paradump — parallel, chunked, consistent MySQL/MariaDB dumps and restores

Usage:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n')}`;

const EXIT_USAGE = 2;
// NOTHING_TO_RESUME: the command does not fit the directory's state (run it without --resume).
const USAGE_CODES: ErrorCode[] = ['BAD_OPTION', 'BAD_URI', 'NOTHING_TO_RESUME'];

export async function main(argv: string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(usage());
    return command ? 0 : EXIT_USAGE;
  }
  try {
    const entry = COMMANDS[command];
    if (!entry) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
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

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runCli } from '../restore/run-cli.ts';

/** When to kill -9 a run: a time after spawning, or the n-th event of a type (whichever comes first). */
export interface Kill {
  afterMs?: number;
  on?: { type: string; count: number };
}

export interface KilledRun {
  code: number | null;
  killed: boolean;
  stderr: string;
  /** Events the run printed (`--json`), in order. */
  events: { type: string }[];
}

/** A random kill point: a time in the first `withinMs` (start-up, first steps), or one of `steps`. */
export function randomKill(random: () => number, steps: { type: string; count: number }[], withinMs = 2500): Kill {
  const pick = Math.floor(random() * (steps.length + 2));
  return pick < steps.length ? { on: steps[pick]! } : { afterMs: Math.floor(random() * withinMs) };
}

export const describeKill = (k: Kill): string => (k.on ? `${k.on.type}#${k.on.count}` : k.afterMs !== undefined ? `${k.afterMs}ms` : 'never');

/**
 * `paradump <command> … --json` as a child process, SIGKILLed (as kill -9 does) at `kill`. A run not
 * to be killed runs the same CLI in this process (no start-up to pay for).
 */
export async function runKilled(command: string, args: string[], kill: Kill): Promise<KilledRun> {
  if (kill.afterMs === undefined && kill.on === undefined) {
    const r = await runCli([command, '--json', ...args]);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string });
    return { code: r.code, killed: false, stderr: r.stderr, events };
  }
  return new Promise((resolve, reject) => {
    // From source: a bundle built from other sources must not stand in for these.
    const child = spawn(process.execPath, ['bin/paradump.mjs', command, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARADUMP_FROM_SOURCE: '1' } });
    let killed = false;
    let seen = 0;
    let stderr = '';
    const events: { type: string }[] = [];
    const killNow = () => {
      if (!killed && child.exitCode === null) killed = child.kill('SIGKILL');
    };
    const timer = kill.afterMs === undefined ? null : setTimeout(killNow, kill.afterMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as { type: string };
      events.push(e);
      if (e.type === kill.on?.type && ++seen >= kill.on.count) killNow();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed, stderr, events });
    });
  });
}

/** One line per attempt, for the failure message (with the seed, the schedule can be run again). */
export function describeRun(what: string, kill: Kill, run: KilledRun): string {
  const chunks = run.events.filter((e) => e.type === 'chunk-finished').length;
  return `${what} kill ${describeKill(kill)}: ${run.killed ? `killed after ${chunks} chunks` : `exit ${run.code} ${run.stderr.trim()}`}`;
}

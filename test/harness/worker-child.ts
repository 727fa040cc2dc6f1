import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export interface WorkerChild {
  child: ChildProcess;
  /** What it printed on stdout, line by line. */
  lines: string[];
  exited: Promise<number | null>;
  /** Resolves once a line (stdout or stderr) containing `text` is printed. */
  saw(text: string): Promise<void>;
  /** SIGTERM (hand back and exit) by PID; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface WorkerChildOptions {
  /** `paradump worker` options. @default ['--concurrency', '1'] */
  args?: string[];
  /** Added to this process's environment (the store, Redis and dump root come from it). */
  env?: Record<string, string>;
  /** Every line it prints, stdout and stderr, prefixed with its PID: for a failing test's output. */
  log?: string[];
}

/** Every worker child started and not yet exited, for an afterAll that kills what is left (by PID). */
export const workerChildren = new Set<ChildProcess>();

/**
 * `paradump worker` as a child process (from source) over this process's store, Redis and dump
 * root. A short lock by default: a killed worker's job is taken over within seconds, not 30.
 */
export function startWorkerChild({ args = ['--concurrency', '1'], env = {}, log = [] }: WorkerChildOptions = {}): WorkerChild {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'paradump.mjs'), 'worker', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARADUMP_FROM_SOURCE: '1', PARADUMP_WORKER_LOCK_MS: '3000', PARADUMP_WORKER_STALLED_MS: '1000', ...env },
  });
  workerChildren.add(child);
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const seen: string[] = [];
  const onLine = (line: string) => {
    seen.push(line);
    for (const w of waiters.filter((x) => line.includes(x.text))) w.resolve();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    log.push(`${child.pid}: ${line}`);
    onLine(line);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(`${child.pid} stderr: ${line}`);
    onLine(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (workerChildren.delete(child), resolve(code))));
  return {
    child,
    lines,
    exited,
    saw: (text) => (seen.some((l) => l.includes(text)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      return exited;
    },
  };
}

/** Kills (SIGKILL, by PID) every worker child still running: an afterAll's safety net. */
export function killWorkerChildren(): void {
  for (const child of workerChildren) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
}

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Measured {
  wallMs: number;
  /** Peak resident set size of the tool process (the largest of it and its children), MiB. */
  peakRssMiB: number;
  /** User + system CPU seconds of the tool process and its children. */
  cpuS: number;
}

export function commandExists(name: string): boolean {
  if (name.includes('/')) return isExecutable(name);
  return (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin']).some((d) => d && isExecutable(path.join(d, name)));
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const TIME = '/usr/bin/time';

/**
 * Runs one tool to completion and measures it: wall time from spawn to exit, and peak RSS + CPU time
 * from GNU time's `-v` report (the kernel's rusage of the waited-for process). Without GNU time the
 * peak is polled from /proc/PID/status VmHWM. A non-zero exit throws with the end of stderr.
 */
export async function runMeasured(command: string, args: string[], io: { stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  const useTime = isExecutable(TIME);
  const report = path.join(tmpdir(), `paradump-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const stdin = io.stdin ? openSync(io.stdin, 'r') : 'ignore';
  const stdout = io.stdout ? openSync(io.stdout, 'w') : 'ignore';
  const [cmd, argv] = useTime ? [TIME, ['-v', '-o', report, command, ...args]] : [command, args];
  const started = performance.now();
  try {
    const child = spawn(cmd, argv, { stdio: [stdin, stdout, 'pipe'], env: io.env ?? process.env, cwd: io.cwd });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-8000);
    });
    let polledKb = 0;
    let polledCpu = 0;
    const poll = useTime
      ? null
      : setInterval(() => {
          const p = procStats(child.pid);
          if (p) {
            polledKb = Math.max(polledKb, p.hwmKb);
            polledCpu = p.cpuS;
          }
        }, 20);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    const wallMs = performance.now() - started;
    if (poll) clearInterval(poll);
    if (code !== 0) throw new Error(`${command} exited with ${code}:\n${stderr.trim().split('\n').slice(-15).join('\n')}`);
    if (!useTime) return { wallMs, peakRssMiB: polledKb / 1024, cpuS: polledCpu };
    const text = readFileSync(report, 'utf8');
    const num = (label: string) => Number(new RegExp(`${label}[^:]*:\\s*([0-9.]+)`).exec(text)?.[1] ?? NaN);
    return { wallMs, peakRssMiB: num('Maximum resident set size') / 1024, cpuS: num('User time') + num('System time') };
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
    if (typeof stdout === 'number') closeSync(stdout);
    rmSync(report, { force: true });
  }
}

/** CPU seconds a process (all its threads) has used so far, null when it cannot be read. */
export function processCpuS(pid: number): number | null {
  return procStats(pid)?.cpuS ?? null;
}

function procStats(pid: number | undefined): { hwmKb: number; cpuS: number } | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { hwmKb, cpuS: ticks / 100 };
  } catch {
    return null;
  }
}

/** Size of a directory tree in bytes (du -sb). */
export function treeBytes(dir: string): number {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0] ?? 0);
}

export function median(values: readonly number[]): number {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

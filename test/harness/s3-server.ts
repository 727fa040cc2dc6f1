import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { S3Settings } from '../../lib/storage/settings.ts';

/** s3rver's one account. */
export const S3_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Server {
  endpoint: string;
  port: number;
  /** Where s3rver keeps the buckets (a bucket is a folder). */
  directory: string;
  /** The server process's PID (benchmarks read its CPU time from /proc). */
  readonly pid: number;
  /** Settings that reach this server with its account. */
  settings: S3Settings;
  /** SIGKILLs the server (by PID) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
}

// node itself (not the tsx wrapper, which runs node as a child): a SIGKILL by PID stops the server.
const MAIN = path.join(import.meta.dirname, 's3-server-main.ts');

async function launch(directory: string, port: number, buckets: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, directory, String(port), buckets.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr.slice(-500)}`)));
  });
  return { child, port: ready };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** A throwaway S3-compatible server on a loopback port, with `buckets` created, in a child process. */
export async function startS3Server(options: { buckets: readonly string[] }): Promise<S3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'paradump-s3-'));
  const first = await launch(directory, 0, options.buckets);
  const port = first.port;
  let child = first.child;
  const endpoint = `http://127.0.0.1:${port}`;
  const server: S3Server = {
    endpoint,
    port,
    directory,
    get pid() {
      return child.pid!;
    },
    settings: { endpoint, region: 'us-east-1', ...S3_KEY },
    kill: () => killChild(child),
    restart: async () => {
      await killChild(child);
      ({ child } = await launch(directory, port, options.buckets));
    },
    stop: async () => {
      await killChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
  return server;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  /**
   * Stops the server by PID (SIGTERM: it writes its append-only file out and exits) and starts it
   * again on the same port over the same directory, so it comes back with its data (BullMQ's jobs,
   * locks, streams). `downMs`: how long it stays down in between. Resolves once it answers again.
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server (SIGTERM by PID, SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** redis-server on `port` over `dir`; resolves once it answers PING. */
async function launch({ port, dir }: { port: number; dir: string }): Promise<ChildProcess> {
  // Append-only, fsynced every second and on shutdown: a restart keeps everything BullMQ wrote.
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'no', '--dir', dir];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output.slice(-500)}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}: ${output.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** A throwaway redis-server on a free loopback port, its own temp directory (append-only file there). */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-redis-'));
  const port = await freePort();
  let child = await launch({ port, dir });
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async restart({ downMs = 0 } = {}) {
      await terminate(child);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      child = await launch({ port, dir });
      server.pid = child.pid!;
    },
    async stop() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresCluster {
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` (trust authentication, loopback only). */
  uri: string;
  port: number;
  /** The postmaster's PID, read from its pid file: what stop() signals. */
  pid: number;
  /** A new, empty database with a unique name; drop() removes it, closing any connection left on it. */
  createDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }>;
  /** Fast shutdown by PID, waits for the postmaster to be gone, removes the cluster's directory. */
  stop(): Promise<void>;
}

/** The newest Debian PostgreSQL (`/usr/lib/postgresql/<v>/bin`) that has initdb. */
export function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  return path.join(root, newest, 'bin');
}

// initdb refuses to run as root, so as root the cluster belongs to the Debian package's `postgres`
// user, or to one made for the tests on a machine without it.
const CLUSTER_USER = 'postgres';

async function ensureUser(): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  const exists = await run('id', ['-u', CLUSTER_USER]).then(() => true, () => false);
  if (!exists) await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', CLUSTER_USER]);
  return CLUSTER_USER;
}

function asUser(user: string | null, command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return user ? run('runuser', ['-u', user, '--', command, ...args]) : run(command, args);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A throwaway PostgreSQL cluster in a temp directory on a free loopback port, durability off (a
 * test store is thrown away). Started with pg_ctl, stopped by the postmaster's PID.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const user = await ensureUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paradump-pg-'));
  if (user) {
    const { stdout } = await run('id', ['-u', user]);
    const { stdout: gid } = await run('id', ['-g', user]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  await asUser(user, path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      // -w: returns once the server accepts connections.
      await asUser(user, path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
      break;
    } catch (error) {
      // Another process may have taken the port between the probe and the start.
      if (attempt >= 3) {
        const log = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000) : '';
        await rm(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${String(error)}\n${log}`, { cause: error });
      }
    }
  }
  const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const uri = `postgresql://postgres@127.0.0.1:${port}/postgres`;

  const admin = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };

  return {
    uri,
    port,
    pid,
    async createDatabase(prefix) {
      if (!/^[a-z0-9_]{1,40}$/.test(prefix)) throw new TypeError('prefix must be 1-40 characters of [a-z0-9_]');
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      await admin((c) => c.query(`CREATE DATABASE "${name}"`));
      return {
        name,
        url: `postgresql://postgres@127.0.0.1:${port}/${name}`,
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
      };
    },
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, no checkpoint wait for clients.
      if (alive(pid)) process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 30_000;
      while (alive(pid)) {
        if (Date.now() > deadline) {
          process.kill(pid, 'SIGKILL');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

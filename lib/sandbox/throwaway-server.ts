import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import { ParadumpError } from '../core/errors.ts';

// A disposable MariaDB server in a temp dir: for tests, benchmarks and the dashboard's
// "local sandbox" button. No Next/React here.

/** What failed, in `details.reason` of a SANDBOX_UNAVAILABLE / SANDBOX_FAILED error. */
export type SandboxFailure = 'binary-missing' | 'no-mysql-user' | 'install-failed' | 'start-failed' | 'start-timeout';

const UNAVAILABLE: ReadonlySet<SandboxFailure> = new Set(['binary-missing', 'no-mysql-user']);

function sandboxError(reason: SandboxFailure, message: string, details: Record<string, unknown> = {}): ParadumpError {
  return new ParadumpError(UNAVAILABLE.has(reason) ? 'SANDBOX_UNAVAILABLE' : 'SANDBOX_FAILED', message, { details: { ...details, reason } });
}

export interface StartThrowawayServerOptions {
  /** `--server-id`. @default 1 */
  serverId?: number;
  /** TCP port on 127.0.0.1. @default a free port picked by the OS */
  port?: number;
  /** Extra `mariadbd` arguments, appended last so they override the defaults. */
  extraArgs?: string[];
  /** How long to wait for the server to accept connections. @default 60_000 */
  readyTimeoutMs?: number;
  /** Parent directory for the temp dir. @default os.tmpdir() */
  baseDir?: string;
}

export interface ThrowawayServer {
  /** `mysql://root@127.0.0.1:PORT` (root, no password). */
  readonly uri: string;
  readonly port: number;
  readonly socket: string;
  readonly datadir: string;
  /** The temp dir holding datadir, socket, pid file and error log; removed by stop(). */
  readonly dir: string;
  readonly errorLog: string;
  readonly serverId: number;
  /** PID of the current mariadbd process (changes after restart()). */
  readonly pid: number;
  /** SIGTERM, wait for exit (SIGKILL after a deadline), remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit; keeps the datadir so restart() exercises crash recovery. */
  kill9(): Promise<void>;
  /** Stop gracefully if running (keeping the datadir), start again on the same port. */
  restart(): Promise<void>;
  /** Last lines of the error log. */
  errorLogTail(lines?: number): string;
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];
const STOP_DEADLINE_MS = 30_000;

function findBinary(names: string[]): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // keep looking
      }
    }
  }
  throw sandboxError(
    'binary-missing',
    `Cannot find ${names.join(' or ')} in PATH or ${SEARCH_DIRS.join(', ')}. ` +
      'Install the MariaDB server: apt-get install mariadb-server',
    { names },
  );
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined && f[3] !== undefined) {
        return { uid: Number(f[2]), gid: Number(f[3]) };
      }
    }
  } catch {
    // fall through to `id`
  }
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  return undefined;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

function tailFile(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no error log)';
  }
}

/** The server's own [ERROR] lines, which mariadb-install-db buries under 20 lines of advice. */
function errorLines(path: string): string {
  const errors = tailFile(path, 200).split('\n').filter((l) => /\[(ERROR|Warning)\]/.test(l));
  return errors.length > 0 ? errors.slice(-15).join('\n') : tailFile(path);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

// Last resort for servers whose owner forgot stop() (e.g. a crashed test worker): kill them
// when this Node process exits so no mariadbd outlives it, and drop their temp dirs.
const live = new Map<number, { child: ChildProcess; dir: string }>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { child, dir } of live.values()) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // the kernel may still hold files; nothing more to do in an exit hook
      }
    }
  });
}

async function runInstallDb(installDb: string, datadir: string, asUser: string | undefined, logFile: string) {
  const args = [
    '--no-defaults',
    ...(asUser ? [`--user=${asUser}`] : []),
    `--datadir=${datadir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ];
  const log = await open(logFile, 'a');
  try {
    const child = spawn(installDb, args, { stdio: ['ignore', log.fd, log.fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) {
      throw sandboxError(
        'install-failed',
        `mariadb-install-db exited with ${code}:\n${errorLines(logFile)}`,
        { code, logFile },
      );
    }
  } finally {
    await log.close();
  }
}

async function canConnect(port: number): Promise<unknown> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
    await conn.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Where one throwaway server keeps everything, and who it runs as. */
interface ServerPaths {
  dir: string;
  datadir: string;
  tmp: string;
  socket: string;
  pidFile: string;
  errorLog: string;
  /** Set when running as root: mariadbd runs as the mysql user. */
  asUser: string | undefined;
}

function checkOptions(options: StartThrowawayServerOptions): number {
  const serverId = options.serverId ?? 1;
  if (!Number.isInteger(serverId) || serverId < 1 || serverId > 4294967295) {
    throw new TypeError('serverId must be an integer from 1 to 4294967295');
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
    throw new TypeError('port must be an integer from 1 to 65535');
  }
  return serverId;
}

/** A new temp dir with an initialised data directory, owned by the user mariadbd runs as. */
async function prepareDataDir(baseDir: string | undefined): Promise<ServerPaths> {
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (isRoot) {
    owner = lookupUser('mysql');
    if (!owner) {
      throw sandboxError('no-mysql-user', 'Running as root but there is no "mysql" user to run mariadbd as. Install the MariaDB server: apt-get install mariadb-server');
    }
  }
  const dir = await mkdtemp(join(baseDir ?? tmpdir(), 'paradump-sandbox-'));
  const paths: ServerPaths = {
    dir,
    datadir: join(dir, 'data'),
    tmp: join(dir, 'tmp'),
    socket: join(dir, 'mariadb.sock'),
    pidFile: join(dir, 'mariadbd.pid'),
    errorLog: join(dir, 'error.log'),
    asUser: isRoot ? 'mysql' : undefined,
  };
  try {
    await mkdir(paths.tmp);
    if (owner) {
      await chown(dir, owner.uid, owner.gid);
      await chown(paths.tmp, owner.uid, owner.gid);
    }
    await runInstallDb(installDb, paths.datadir, paths.asUser, join(dir, 'install.log'));
    if (owner) {
      const log = await open(paths.errorLog, 'a');
      await log.close();
      await chown(paths.errorLog, owner.uid, owner.gid);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return paths;
}

function serverArgs(paths: ServerPaths, serverId: number, port: number, extraArgs: readonly string[]): string[] {
  return [
    '--no-defaults',
    ...(paths.asUser ? [`--user=${paths.asUser}`] : []),
    `--datadir=${paths.datadir}`,
    `--tmpdir=${paths.tmp}`,
    `--socket=${paths.socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${paths.pidFile}`,
    `--log-error=${paths.errorLog}`,
    `--log-bin=${join(paths.datadir, 'binlog')}`,
    `--server-id=${serverId}`,
    '--binlog-format=ROW',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-allowed-packet=64M',
    '--event-scheduler=ON',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    ...extraArgs,
  ];
}

/** Spawns mariadbd and waits until it accepts connections; throws with the log tail if it dies. */
async function launchServer(mariadbd: string, paths: ServerPaths, args: string[], port: number, readyTimeoutMs: number): Promise<ChildProcess> {
  const proc = spawn(mariadbd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (s: string) => {
    if (stderr.length < 16_384) stderr += s;
  });
  const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  if (proc.pid === undefined) {
    throw sandboxError('start-failed', `could not spawn ${mariadbd}: ${String(await spawnError)}`);
  }
  live.set(proc.pid, { child: proc, dir: paths.dir });
  installExitHook();

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      live.delete(proc.pid);
      await exited;
      throw sandboxError(
        'start-failed',
        `mariadbd exited during startup (code ${proc.exitCode}, signal ${proc.signalCode}). Error log ${paths.errorLog}:\n` + tailFile(paths.errorLog) + (stderr ? `\nstderr:\n${stderr}` : ''),
        { port, exitCode: proc.exitCode },
      );
    }
    const lastErr = await canConnect(port);
    if (lastErr === undefined) return proc;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await waitForExit(proc, 10_000);
      live.delete(proc.pid);
      throw sandboxError('start-timeout', `mariadbd did not accept connections on port ${port} within ${readyTimeoutMs} ms (last error: ${String(lastErr)}). Error log ${paths.errorLog}:\n${tailFile(paths.errorLog)}`, { port });
    }
    await Promise.race([sleep(150), exited]);
  }
}

/** Stops the server process: SIGTERM with a deadline, then SIGKILL. */
async function terminateServer(proc: ChildProcess | undefined, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (!proc || proc.pid === undefined) return;
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill(signal);
    if (!(await waitForExit(proc, signal === 'SIGTERM' ? STOP_DEADLINE_MS : 10_000))) {
      proc.kill('SIGKILL');
      await waitForExit(proc, 10_000);
    }
  }
  live.delete(proc.pid);
}

/**
 * Start a fresh MariaDB server (binlog on, ROW format) in a new temp dir.
 * Resolves once it accepts connections as root over TCP.
 */
export async function startThrowawayServer(options: StartThrowawayServerOptions = {}): Promise<ThrowawayServer> {
  const serverId = checkOptions(options);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const mariadbd = findBinary(['mariadbd', 'mysqld']);
  const paths = await prepareDataDir(options.baseDir);
  const launch = (p: number) => launchServer(mariadbd, paths, serverArgs(paths, serverId, p, options.extraArgs ?? []), p, readyTimeoutMs);
  const cleanupDir = () => rm(paths.dir, { recursive: true, force: true });
  let port = options.port ?? 0;
  let child: ChildProcess | undefined;
  let stopped = false;

  try {
    // A picked port can be taken between probing and binding: retry with a new one.
    for (let attempt = 1; ; attempt++) {
      if (!options.port && port === 0) port = await findFreePort();
      try {
        child = await launch(port);
        break;
      } catch (err) {
        const portTaken = /Address already in use|Can't start server: Bind on TCP\/IP port/i.test(tailFile(paths.errorLog, 10));
        if (options.port || !portTaken || attempt >= 5) throw err;
        port = 0;
      }
    }
  } catch (err) {
    await cleanupDir();
    throw err;
  }

  return {
    get uri() {
      return `mysql://root@127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    socket: paths.socket,
    datadir: paths.datadir,
    dir: paths.dir,
    errorLog: paths.errorLog,
    serverId,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminateServer(child, 'SIGTERM');
      await cleanupDir();
    },
    async kill9() {
      if (stopped) throw new ParadumpError('ABORTED', 'server was stopped');
      await terminateServer(child, 'SIGKILL');
    },
    async restart() {
      if (stopped) throw new ParadumpError('ABORTED', 'server was stopped');
      await terminateServer(child, 'SIGTERM');
      child = await launch(port);
    },
    errorLogTail(lines = 30) {
      return tailFile(paths.errorLog, lines);
    },
  };
}

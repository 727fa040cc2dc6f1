import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';

/**
 * The benchmark's source server: a throwaway mariadbd whose datadir lives under bench/data (gitignored)
 * so the sysbench dataset survives between runs. startThrowawayServer appends `extraArgs` last, so
 * `--datadir` / `--log-bin` here override its temp datadir (which it still creates, empty, and removes
 * on stop()).
 */
export async function startSourceServer(options: { dataDir: string; bufferPool: string }): Promise<ThrowawayServer> {
  const datadir = path.resolve(options.dataDir, 'source-datadir');
  if (!existsSync(path.join(datadir, 'mysql'))) {
    await mkdir(datadir, { recursive: true });
    const installDb = ['/usr/bin/mariadb-install-db', '/usr/sbin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((p) => existsSync(p)) ?? 'mariadb-install-db';
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const { uid, gid } = userIds('mysql');
      await chown(options.dataDir, uid, gid).catch(() => undefined);
      await chown(datadir, uid, gid);
    }
    const r = spawnSync(installDb, ['--no-defaults', ...(asRoot ? ['--user=mysql'] : []), `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mariadb-install-db failed for ${datadir}:\n${r.stdout}\n${r.stderr}`);
  }
  return startThrowawayServer({
    serverId: 71,
    readyTimeoutMs: 300_000, // crash recovery of a big datadir after an interrupted run
    extraArgs: [
      `--datadir=${datadir}`,
      `--log-bin=${path.join(datadir, 'binlog')}`,
      `--innodb-buffer-pool-size=${options.bufferPool}`,
      '--innodb-log-file-size=1G',
      '--max-connections=200',
    ],
  });
}

/**
 * The restore target: a fresh throwaway server per bench run, binlog off, so every loader pays the
 * same (myloader turns binlog off per session by default; this makes it equal for all three).
 */
export async function startTargetServer(options: { bufferPool: string }): Promise<ThrowawayServer> {
  return startThrowawayServer({
    serverId: 72,
    extraArgs: [`--innodb-buffer-pool-size=${options.bufferPool}`, '--innodb-log-file-size=1G', '--skip-log-bin', '--max-connections=200'],
  });
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error(`no "${name}" user: install the MariaDB server (apt-get install mariadb-server)`);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

// The same dump to a local directory and to S3 (s3rver on loopback): wall time, peak RSS and CPU
// seconds of the CLI process (GNU time), and the CPU seconds s3rver and mariadbd spent meanwhile
// (/proc), so the ratio can be split into the client's cost and the store's on the same cores.
// `tsx bench/storage/s3-vs-local.ts [rows] [runs] [extra dump flags for the S3 side…]`
// 200 B a row, --compress none.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { startS3Server, S3_KEY } from '../../test/harness/s3-server.ts';

const rows = Number(process.argv[2] ?? 2_000_000);
const runs = Number(process.argv[3] ?? 1);
const s3Flags = process.argv.slice(4);
const TICK = 100; // USER_HZ on Linux

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startThrowawayServer({ serverId: 9 });
const s3 = await startS3Server({ buckets: ['bench'] });
const work = await mkdtemp(path.join(os.tmpdir(), 'paradump-bench-s3-'));
try {
  const c = (await import('mysql2/promise')).default;
  const conn = await c.createConnection(server.uri);
  await conn.query('CREATE DATABASE b');
  await conn.end();
  const t0 = performance.now();
  await createChunkTable({ uri: server.uri, db: 'b', table: 't', rows });
  console.log(`filled ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The precompiled CLI, as operators run it (`node bin/build-cli.mjs`), snapshotted for this run.
  const cli = path.resolve('node_modules/.cache/paradump-bench-s3'); // packages resolve from here
  execFileSync(process.execPath, ['bin/build-cli.mjs', '--out', cli], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = { ...process.env, AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey, AWS_REGION: 'us-east-1', PARADUMP_HOME: work };
  const run = (out: string, extra: readonly string[]) => {
    const before = { s3: cpuSeconds(s3.pid), db: cpuSeconds(server.pid) };
    const args = ['-f', '%e %M %U %S', process.execPath, path.join(cli, 'paradump.mjs'), 'dump', '--source', server.uri, '--databases', 'b', '--threads', '4', '--compress', 'none', '--quiet', '--out', out, ...extra];
    const r = spawnSync('/usr/bin/time', args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const [wall, rssKiB, user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wall: wall!, rssMiB: Math.round(rssKiB! / 1024), clientCpu: user! + sys!, storeCpu: cpuSeconds(s3.pid) - before.s3, dbCpu: cpuSeconds(server.pid) - before.db };
  };
  const results: { local: ReturnType<typeof run>; s3: ReturnType<typeof run> }[] = [];
  for (let i = 0; i < runs; i++) {
    const local = run(path.join(work, `local-${i}`), []);
    const remote = run(`s3://bench/dump-${i}`, s3Flags);
    results.push({ local, s3: remote });
    console.log(JSON.stringify({ run: i, local, s3: remote, ratio: +(remote.wall / local.wall).toFixed(2) }));
    await rm(path.join(work, `local-${i}`), { recursive: true, force: true });
  }
  const bytes = rows * 200;
  const pick = (side: 'local' | 's3', key: keyof ReturnType<typeof run>) => median(results.map((r) => r[side][key]));
  console.log(JSON.stringify({
    rows, approxBytes: bytes, s3Flags, runs,
    medianRatio: median(results.map((r) => r.s3.wall / r.local.wall)),
    local: { wall: pick('local', 'wall'), rssMiB: pick('local', 'rssMiB'), clientCpu: pick('local', 'clientCpu'), dbCpu: pick('local', 'dbCpu') },
    s3: { wall: pick('s3', 'wall'), rssMiB: pick('s3', 'rssMiB'), clientCpu: pick('s3', 'clientCpu'), storeCpu: pick('s3', 'storeCpu'), dbCpu: pick('s3', 'dbCpu') },
  }));
} finally {
  await s3.stop();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

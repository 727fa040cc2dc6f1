// The same dump to a local directory and to S3 (s3rver on loopback): wall time and peak RSS of the
// CLI process (GNU time). `tsx bench/storage/s3-vs-local.ts [rows]` — 200 B a row, --compress none.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { createChunkTable } from '../../test/fixtures/generate.ts';
import { startS3Server, S3_KEY } from '../../test/harness/s3-server.ts';

const rows = Number(process.argv[2] ?? 2_000_000);
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
  const env = { ...process.env, AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_KEY.secretAccessKey, AWS_REGION: 'us-east-1', PARADUMP_HOME: work, PARADUMP_FROM_SOURCE: '1' };
  const run = (out: string) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, 'bin/paradump.mjs', 'dump', '--source', server.uri, '--databases', 'b', '--threads', '4', '--compress', 'none', '--quiet', '--out', out], { env, encoding: 'utf8' });
    const last = r.stderr.trim().split('\n').at(-1)!;
    const [wall, rssKiB] = last.split(' ').map(Number);
    if (r.status !== 0) throw new Error(r.stderr);
    return { wall: wall!, rssMiB: rssKiB! / 1024 };
  };
  const local = run(path.join(work, 'local'));
  const remote = run('s3://bench/dump');
  const bytes = Number(spawnSync('du', ['-sb', path.join(work, 'local')], { encoding: 'utf8' }).stdout.split('\t')[0]);
  console.log(JSON.stringify({ rows, bytes, local, s3: remote, ratio: remote.wall / local.wall, s3MiBps: bytes / 1048576 / remote.wall }));
} finally {
  await s3.stop();
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

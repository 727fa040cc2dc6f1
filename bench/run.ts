// npm run bench -- [--tables 8] [--rows 1000000] [--repeats 3] [--threads 2,4] [--chunk-rows 100000]
//                  [--suites dump,restore,rss,startup,many] [--buffer-pool 2G] [--docs | --no-docs]
// Benchmarks paradump against mydumper/myloader and mariadb-dump/mariadb on a sysbench dataset kept
// under bench/data (rebuilt when absent or of another shape). Tools alternate and repeat; medians
// and ratios (paradump ÷ peer) are printed, written to bench/results.json and docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import mysql from 'mysql2/promise';
import type { ThrowawayServer } from '../lib/sandbox/throwaway-server.ts';
import { datasetName, ensureDataset } from './lib/dataset.ts';
import { commandExists, median, processCpuS, runMeasured } from './lib/measure.ts';
import { buildReport, writeDocs, type BenchResults, type Sample } from './lib/report.ts';
import { startSourceServer, startTargetServer } from './lib/server.ts';
import { runManyTablesSuite, type ManyResult } from './lib/many-tables.ts';
import { DUMP_VARIANTS, RESTORE_VARIANTS, freshDir, missingNeeds, type RunContext, type Variant } from './lib/tools.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Set once the snapshot is built (main). */
let paradumpBin = '';
const DEFAULTS = { tables: 8, rows: 1_000_000, repeats: 3, threads: '2,4', chunkRows: 100_000, bufferPool: '2G', bigFactor: 4 };

const { values: flags } = parseArgs({
  options: {
    tables: { type: 'string' },
    rows: { type: 'string' },
    repeats: { type: 'string' },
    threads: { type: 'string' },
    'chunk-rows': { type: 'string' },
    suites: { type: 'string' },
    variants: { type: 'string' },
    'buffer-pool': { type: 'string' },
    'big-factor': { type: 'string' },
    'data-dir': { type: 'string' },
    docs: { type: 'boolean' },
    'no-docs': { type: 'boolean' },
    'report-only': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (flags.help) {
  process.stdout.write(`npm run bench -- [options]
  --tables N          sbtest tables (default ${DEFAULTS.tables})
  --rows N            rows per table (default ${DEFAULTS.rows})
  --repeats N         runs of each variant; medians are reported (default ${DEFAULTS.repeats})
  --threads a,b       thread counts (default ${DEFAULTS.threads})
  --chunk-rows N      rows per chunk, paradump --chunk-rows and mydumper -r (default ${DEFAULTS.chunkRows})
  --suites list       dump,restore,rss,startup,many (default all; many: 300 and 3000 small tables,
                      30000 too with PARADUMP_BENCH_MANY_30K=1)
  --variants list     only these variant ids (e.g. paradump-none,mydumper)
  --buffer-pool SIZE  InnoDB buffer pool of the bench servers (default ${DEFAULTS.bufferPool})
  --big-factor N      rss suite: the large table has N × rows (default ${DEFAULTS.bigFactor})
  --data-dir DIR      where the source datadir and scratch dumps live (default bench/data)
  --docs / --no-docs  rewrite the results section of docs/benchmarks.md (default: only at default size)
  --report-only       measure nothing: print the report of bench/results.json and write its docs section
`);
  process.exit(0);
}

if (flags['report-only']) {
  // A change to how results are shown, applied to the recorded run without measuring again.
  const recorded = JSON.parse(readFileSync(path.join(repoRoot, 'bench/results.json'), 'utf8')) as BenchResults;
  const report = buildReport(recorded);
  process.stdout.write(report.text + '\n');
  writeDocs(path.join(repoRoot, 'docs/benchmarks.md'), report.markdown);
  process.exit(0);
}

const int = (v: string | undefined, d: number, name: string) => {
  const n = v === undefined ? d : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer`);
  return n;
};
const config = {
  tables: int(flags.tables, DEFAULTS.tables, 'tables'),
  rows: int(flags.rows, DEFAULTS.rows, 'rows'),
  repeats: int(flags.repeats, DEFAULTS.repeats, 'repeats'),
  threads: (flags.threads ?? DEFAULTS.threads).split(',').map((t) => int(t, 0, 'threads')),
  chunkRows: int(flags['chunk-rows'], DEFAULTS.chunkRows, 'chunk-rows'),
  suites: new Set((flags.suites ?? 'dump,restore,rss,startup,many').split(',')),
  variants: flags.variants ? new Set(flags.variants.split(',')) : null,
  bufferPool: flags['buffer-pool'] ?? DEFAULTS.bufferPool,
  bigFactor: int(flags['big-factor'], DEFAULTS.bigFactor, 'big-factor'),
  dataDir: path.resolve(flags['data-dir'] ?? path.join(repoRoot, 'bench/data')),
};
const isDefaultSize = config.tables === DEFAULTS.tables && config.rows === DEFAULTS.rows;
const writeDocsToo = flags['no-docs'] ? false : (flags.docs ?? isDefaultSize);
const database = datasetName(config.rows, DEFAULTS.rows);
const log = (line: string) => process.stderr.write(line + '\n');

const samples: Sample[] = [];
const servers: ThrowawayServer[] = [];
let stopping = false;
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));

function usable(v: Variant): boolean {
  if (config.variants && !config.variants.has(v.id)) return false;
  const missing = missingNeeds(v);
  if (missing.length === 0) return true;
  log(`skipping ${v.label}: ${missing.map((m) => m.command).join(', ')} not installed (apt-get install -y ${[...new Set(missing.map((m) => m.pkg))].join(' ')})`);
  return false;
}

/** Runs every variant `repeats` times per thread count, rotating the order each round. */
async function runSuite(args: { suite: 'dump' | 'restore'; variants: Variant[]; port: number; serverPid: number; kept: Map<string, string>; before?: (v: Variant) => Promise<void>; after?: (v: Variant, ctx: RunContext, rep: number, threads: number) => void | Promise<void> }) {
  for (const threads of config.threads) {
    for (let rep = 0; rep < config.repeats; rep++) {
      const list = args.variants.filter((v) => !v.singleThreaded || threads === config.threads[0]);
      const order = list.map((_, i) => list[(i + rep) % list.length]!);
      for (const v of order) {
        const t = v.singleThreaded ? 1 : threads;
        const ctx: RunContext = { port: args.port, database, tables: config.tables, rows: config.rows, chunkRows: config.chunkRows, threads: t, work: freshDir(path.join(config.dataDir, 'work', v.id)), kept: args.kept, repoRoot, paradump: paradumpBin };
        await args.before?.(v);
        // The server's CPU too: a restore is mostly the server's work, and on 2 cores the tool and the
        // server share them.
        const serverBefore = processCpuS(args.serverPid);
        const r = await v.run(ctx);
        const serverAfter = processCpuS(args.serverPid);
        const serverCpuS = serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : undefined;
        samples.push({ suite: args.suite, variant: v.id, tool: v.tool, label: v.label, threads: t, rep, ...r, ...(serverCpuS === undefined ? {} : { serverCpuS }) });
        log(`  ${args.suite} t=${t} #${rep + 1} ${v.label.padEnd(46)} ${(r.wallMs / 1000).toFixed(2).padStart(7)} s  ${r.peakRssMiB.toFixed(0).padStart(5)} MiB  cpu ${r.cpuS.toFixed(1)} s${serverCpuS === undefined ? '' : `  server cpu ${serverCpuS.toFixed(1)} s`}${r.lockHoldMs !== undefined ? `  lock ${r.lockHoldMs} ms` : ''}`);
        await args.after?.(v, ctx, rep, threads);
      }
    }
  }
}

/**
 * Waits until the target has written back the previous load's dirty pages and purged its undo
 * (at most 3 minutes). Otherwise each loader pays for the one before it: the variants rotate in a
 * fixed cycle, so the same tool would always follow the same predecessor (the first full run had
 * paradump's plain restore always right after the single-threaded client's, myloader always after
 * a light one).
 */
async function settle(conn: mysql.Connection): Promise<void> {
  const started = performance.now();
  const [[before]] = (await conn.query('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct')) as unknown as [[{ pct: number }]];
  await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    while (performance.now() - started < 180_000) {
      const [[row]] = (await conn.query(
        "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY') AS dirty, (SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len') AS history",
      )) as unknown as [[{ dirty: string | number; history: string | number | null }]];
      if (Number(row.dirty) < 200 && Number(row.history ?? 0) < 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await conn.query(`SET GLOBAL innodb_max_dirty_pages_pct = ${Number(before.pct)}`);
  }
  log(`    (target settled in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

function versionOf(cmd: string, args: string[]): string | null {
  if (!commandExists(cmd)) return null;
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const started = new Date();
  // paradump runs precompiled, from a snapshot taken now: edits made while the bench runs (a shared
  // checkout) change nothing mid-run. It is what `npx paradump` runs after `node bin/build-cli.mjs`;
  // the startup suite shows the tsx path too.
  execFileSync(process.execPath, [path.join(repoRoot, 'bin/build-cli.mjs'), '--out', path.join(config.dataDir, 'cli')], { stdio: ['ignore', 'ignore', 'inherit'] });
  paradumpBin = path.join(config.dataDir, 'cli', 'paradump.mjs');
  await build({ absWorkingDir: repoRoot, entryPoints: ['bench/floor-stream.ts'], outfile: path.join(config.dataDir, 'cli', 'floor-stream.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  log(`paradump bench: ${config.tables} × ${config.rows.toLocaleString('en-US')} rows, threads ${config.threads.join(',')}, ${config.repeats} repeats, suites ${[...config.suites].join(',')}`);
  const source = await startSourceServer({ dataDir: config.dataDir, bufferPool: config.bufferPool });
  servers.push(source);
  log(`source server on port ${source.port} (datadir ${path.relative(repoRoot, path.join(config.dataDir, 'source-datadir'))})`);
  const dataset = await ensureDataset({ port: source.port, shape: { database, tables: config.tables, rows: config.rows }, log });
  const bigShape = { database: datasetName(config.rows * config.bigFactor, DEFAULTS.rows * DEFAULTS.bigFactor).replace('sbtest', 'sbtest_big'), tables: 1, rows: config.rows * config.bigFactor };
  let bigDataset: string | null = null;
  if (config.suites.has('rss')) bigDataset = await ensureDataset({ port: source.port, shape: bigShape, log });

  const conn = await mysql.createConnection({ host: '127.0.0.1', port: source.port, user: 'root' });
  const [[srv]] = (await conn.query('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp')) as unknown as [[{ v: string; bp: number }]];
  const [[size]] = (await conn.query('SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)', [database, Array.from({ length: config.tables }, (_, i) => `sbtest${i + 1}`)])) as unknown as [[{ b: number }]];
  await conn.end();

  const kept = new Map<string, string>();
  const keepDir = path.join(config.dataDir, 'kept');
  if (config.suites.has('dump') || config.suites.has('restore')) {
    // Warm the buffer pool so the first measured run does not pay for reading the datadir.
    log('warming the buffer pool …');
    await DUMP_VARIANTS.find((v) => v.id === 'floor-client')!.run({ port: source.port, database, tables: config.tables, rows: config.rows, chunkRows: config.chunkRows, threads: 2, work: freshDir(path.join(config.dataDir, 'work', 'warm')), kept, repoRoot, paradump: paradumpBin });
    const dumpVariants = DUMP_VARIANTS.filter(usable);
    const keepFor = new Set(config.suites.has('restore') ? ['paradump-none', 'paradump-zstd', 'paradump-tsv-none', 'paradump-tsv-zstd', 'mydumper', 'mariadb-dump'] : []);
    freshDir(keepDir);
    log('dump suite:');
    await runSuite({
      suite: 'dump',
      variants: config.suites.has('dump') ? dumpVariants : dumpVariants.filter((v) => keepFor.has(v.id)),
      port: source.port,
      serverPid: source.pid,
      kept,
      after: (v, ctx) => {
        // Keep the latest dump of each kind the restores read; drop the rest as we go.
        const out = path.join(ctx.work, 'out');
        if (keepFor.has(v.id)) {
          const dest = path.join(keepDir, v.id);
          rmSync(dest, { recursive: true, force: true });
          execFileSync('mv', [out, dest]);
          kept.set(v.id, dest);
        }
        rmSync(ctx.work, { recursive: true, force: true });
      },
    });
  }

  if (config.suites.has('restore')) {
    const target = await startTargetServer({ bufferPool: config.bufferPool });
    servers.push(target);
    log(`restore suite (target server on port ${target.port}, binlog off):`);
    const tconn = await mysql.createConnection({ host: '127.0.0.1', port: target.port, user: 'root' });
    try {
      await runSuite({
        suite: 'restore',
        variants: RESTORE_VARIANTS.filter(usable),
        port: target.port,
        serverPid: target.pid,
        kept,
        before: async (v) => {
          await tconn.query(`DROP DATABASE IF EXISTS \`${database}\``);
          await settle(tconn);
          if (v.id === 'mariadb') await tconn.query(`CREATE DATABASE \`${database}\``);
        },
        after: async (v) => {
          // Every table there, the last one complete: a restore that loaded less is an error.
          for (let t = 1; t <= config.tables; t++) {
            const [[r]] = (await tconn.query(`SELECT MAX(id) AS hi${t === config.tables ? ', COUNT(*) AS n' : ''} FROM \`${database}\`.sbtest${t}`)) as unknown as [[{ hi: number; n?: number }]];
            if (Number(r.hi) !== config.rows || (r.n !== undefined && Number(r.n) !== config.rows)) throw new Error(`${v.label}: sbtest${t} was not restored completely (max id ${r.hi}, rows ${r.n ?? '?'})`);
          }
        },
      });
      await tconn.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await tconn.end();
      await target.stop();
    }
  }

  if (config.suites.has('rss')) {
    // Peak RSS must not grow with table size: one table of `rows` vs one of `bigFactor × rows`.
    log(`rss suite (1 table of ${config.rows.toLocaleString('en-US')} vs ${bigShape.rows.toLocaleString('en-US')} rows, zstd, threads ${config.threads[0]}):`);
    for (let rep = 0; rep < config.repeats; rep++) {
      for (const [label, db, rows] of [['small', database, config.rows], ['large', bigShape.database, bigShape.rows]] as const) {
        const work = freshDir(path.join(config.dataDir, 'work', `rss-${label}`));
        const m = await runMeasured(process.execPath, [paradumpBin, 'dump', '--source', `mysql://root@127.0.0.1:${source.port}`, '--tables', `${db}.sbtest1`, '--out', path.join(work, 'out'), '--threads', String(config.threads[0]), '--chunk-rows', String(config.chunkRows), '--compress', 'zstd', '--quiet']);
        samples.push({ suite: 'rss', variant: `paradump-zstd-${label}`, tool: 'paradump', label: `paradump dump, 1 table × ${rows.toLocaleString('en-US')} rows`, threads: config.threads[0]!, rep, ...m });
        log(`  rss #${rep + 1} ${label.padEnd(6)} ${(m.wallMs / 1000).toFixed(2).padStart(7)} s  ${m.peakRssMiB.toFixed(0).padStart(5)} MiB`);
        rmSync(work, { recursive: true, force: true });
      }
    }
  }

  if (config.suites.has('startup')) {
    // What the CLI costs before it does anything: node + the tsx loader compiling (cached) TypeScript.
    log('startup suite:');
    for (let rep = 0; rep < Math.max(3, config.repeats); rep++) {
      for (const [id, label, args, env] of [
        ['node', 'node -e 0', ['-e', '0'], {}],
        ['paradump-help', 'paradump --help (precompiled)', [paradumpBin, '--help'], {}],
        ['paradump-help-tsx', 'paradump --help (tsx)', [path.join(repoRoot, 'bin/paradump.mjs'), '--help'], { PARADUMP_FROM_SOURCE: '1' }],
      ] as const) {
        const m = await runMeasured(process.execPath, [...args], { env: { ...process.env, ...env } });
        samples.push({ suite: 'startup', variant: id, tool: id === 'node' ? 'floor' : 'paradump', label, threads: 1, rep, ...m });
      }
    }
    for (const id of ['node', 'paradump-help', 'paradump-help-tsx']) {
      const s = samples.filter((x) => x.suite === 'startup' && x.variant === id);
      log(`  ${id.padEnd(14)} ${median(s.map((x) => x.wallMs)).toFixed(0)} ms  ${median(s.map((x) => x.peakRssMiB)).toFixed(0)} MiB`);
    }
  }

  let many: ManyResult[] = [];
  if (config.suites.has('many')) {
    // Thousands of small tables: per-table costs only (issue 22). Threads: the first of --threads.
    log(`many-tables suite (20 rows a table, threads ${config.threads[0]}):`);
    many = await runManyTablesSuite({ port: source.port, paradump: paradumpBin, work: path.join(config.dataDir, 'work'), threads: config.threads[0]!, repeats: config.repeats, log });
  }

  const results: BenchResults = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    config: { tables: config.tables, rows: config.rows, repeats: config.repeats, threads: config.threads, chunkRows: config.chunkRows, bufferPool: config.bufferPool, bigFactor: config.bigFactor },
    dataset: { database, how: dataset, bigHow: bigDataset, innodbBytes: Number(size.b) },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      server: srv.v,
      bufferPoolBytes: Number(srv.bp),
      tools: {
        mydumper: versionOf('mydumper', ['--version']),
        'mariadb-dump': versionOf('mariadb-dump', ['--version']),
        sysbench: versionOf('sysbench', ['--version']),
      },
      loadAverageAtStart: loadAverage,
    },
    code: gitState(),
    samples,
  };
  const report = buildReport(results);
  process.stdout.write('\n' + report.text + '\n');
  writeFileSync(path.join(repoRoot, 'bench/results.json'), JSON.stringify({ ...results, summary: report.summary, many }, null, 2) + '\n');
  log('wrote bench/results.json');
  if (writeDocsToo) {
    writeDocs(path.join(repoRoot, 'docs/benchmarks.md'), report.markdown);
    log('updated the results section of docs/benchmarks.md');
  }
}

/** The commit measured, and whether the working tree differed from it. */
function gitState(): { commit: string | null; modified: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const modified = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'cli', 'bin'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    return { commit, modified };
  } catch {
    return { commit: null, modified: [] };
  }
}

const loadAverage = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();

try {
  await main();
} catch (error) {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}

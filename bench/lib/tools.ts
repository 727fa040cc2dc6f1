import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandExists, runMeasured, treeBytes, type Measured } from './measure.ts';

/** What a variant needs to know to run once. */
export interface RunContext {
  /** Source (dumps, floors) or target (restores) server. */
  port: number;
  database: string;
  tables: number;
  rows: number;
  chunkRows: number;
  threads: number;
  /** Scratch directory for this one run (created empty). */
  work: string;
  /** Dumps kept for the restore suite, by dump variant id. */
  kept: Map<string, string>;
  repoRoot: string;
  /** The paradump CLI to run: a precompiled snapshot taken when the bench started. */
  paradump: string;
}

export interface RunResult extends Measured {
  /** Bytes the tool wrote (dump directory or file). */
  outputBytes?: number;
  /** paradump: the global lock's hold time from manifest.locks. */
  lockHoldMs?: number;
}

export interface Variant {
  id: string;
  tool: 'paradump' | 'mydumper' | 'mariadb-dump' | 'floor' | 'myloader' | 'mariadb';
  label: string;
  /** Which peer its ratio is computed against (variant id), if any. */
  peer?: string;
  /** Runs once per repeat whatever the thread count (single-threaded tools). */
  singleThreaded?: boolean;
  /** Binaries it needs, with the Debian package that has them. */
  needs: { command: string; pkg: string }[];
  run(ctx: RunContext): Promise<RunResult>;
}

const host = ['-h', '127.0.0.1'];
/** The first `tables` sbtest tables: the dataset may hold more. */
export const tableNames = (ctx: Pick<RunContext, 'tables'>) => Array.from({ length: ctx.tables }, (_, i) => `sbtest${i + 1}`);

function paradumpDump(compress: 'none' | 'gzip' | 'zstd', peer: string, level?: number, format: 'sql' | 'tsv' = 'sql'): Variant {
  const tsv = format === 'tsv';
  return {
    id: `paradump-${tsv ? 'tsv-' : ''}${compress}${level === undefined ? '' : level}`,
    tool: 'paradump',
    label: `paradump dump${tsv ? ' --format tsv' : ''} --compress ${compress}${level === undefined ? '' : ` --compress-level ${level}`}`,
    peer,
    needs: [],
    async run(ctx) {
      const out = path.join(ctx.work, 'out');
      const m = await runMeasured(process.execPath, [
        ctx.paradump,
        'dump',
        '--source',
        `mysql://root@127.0.0.1:${ctx.port}`,
        // --tables alone: with --databases too, the whole database would be dumped (the two add up).
        '--tables',
        tableNames(ctx).map((t) => `${ctx.database}.${t}`).join(','),
        '--out',
        out,
        '--threads',
        String(ctx.threads),
        '--chunk-rows',
        String(ctx.chunkRows),
        '--compress',
        compress,
        ...(level === undefined ? [] : ['--compress-level', String(level)]),
        ...(tsv ? ['--format', 'tsv'] : []),
        '--quiet',
      ]);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { totals: { rows: number }; locks: { scope: string; holdMs?: number }[] };
      if (manifest.totals.rows !== ctx.tables * ctx.rows) throw new Error(`paradump dumped ${manifest.totals.rows} rows, expected ${ctx.tables * ctx.rows}`);
      const instance = manifest.locks.find((l) => l.scope === 'instance' && l.holdMs !== undefined);
      return { ...m, outputBytes: treeBytes(out), ...(instance?.holdMs !== undefined ? { lockHoldMs: instance.holdMs } : {}) };
    },
  };
}

function mydumper(compress: boolean): Variant {
  return {
    id: compress ? 'mydumper-c' : 'mydumper',
    tool: 'mydumper',
    label: compress ? 'mydumper -c (gzip)' : 'mydumper',
    needs: [{ command: 'mydumper', pkg: 'mydumper' }],
    async run(ctx) {
      const out = path.join(ctx.work, 'out');
      const m = await runMeasured('mydumper', [
        ...host,
        '-P',
        String(ctx.port),
        '-u',
        'root',
        '-B',
        ctx.database,
        '-T',
        tableNames(ctx).join(','), // mydumper 0.10 wants bare names here (db.table silently matches nothing)
        '-o',
        out,
        '-t',
        String(ctx.threads),
        '-r',
        String(ctx.chunkRows),
        ...(compress ? ['-c'] : []),
        '-v',
        '1',
      ]);
      const outputBytes = treeBytes(out);
      assertPlausibleSize(ctx, outputBytes, compress ? 0.3 : 1);
      return { ...m, outputBytes };
    },
  };
}

/** A dump much smaller than the rows it should hold means the tool dumped less than asked. */
function assertPlausibleSize(ctx: RunContext, bytes: number, ratio: number): void {
  const minimum = ctx.tables * ctx.rows * 150 * ratio; // an sbtest row is ~190 bytes of SQL
  if (bytes < minimum) throw new Error(`dump of ${bytes} bytes is too small for ${ctx.tables} × ${ctx.rows} rows: the tool did not dump every table`);
}

const mariadbDump: Variant = {
  id: 'mariadb-dump',
  tool: 'mariadb-dump',
  label: 'mariadb-dump --single-transaction',
  singleThreaded: true,
  needs: [{ command: 'mariadb-dump', pkg: 'mariadb-client' }],
  async run(ctx) {
    mkdirSync(path.join(ctx.work, 'out'), { recursive: true });
    const file = path.join(ctx.work, 'out', 'dump.sql');
    const m = await runMeasured('mariadb-dump', [...host, '-P', String(ctx.port), '-u', 'root', '--single-transaction', ctx.database, ...tableNames(ctx)], { stdout: file });
    const outputBytes = treeBytes(file);
    assertPlausibleSize(ctx, outputBytes, 1);
    return { ...m, outputBytes };
  },
};

/** One query per chunk range, the same ranges the dumpers read. */
function chunkQueries(ctx: RunContext): string[] {
  const queries: string[] = [];
  for (let t = 1; t <= ctx.tables; t++) {
    for (let lo = 1; lo <= ctx.rows; lo += ctx.chunkRows) {
      queries.push(`SELECT * FROM \`${ctx.database}\`.sbtest${t} WHERE id >= ${lo} AND id < ${lo + ctx.chunkRows};`);
    }
  }
  return queries;
}

/** The server's floor: N `mariadb --quick` clients reading the chunk ranges into /dev/null. */
const floorClient: Variant = {
  id: 'floor-client',
  tool: 'floor',
  label: 'raw read floor (mariadb --quick → /dev/null)',
  needs: [{ command: 'mariadb', pkg: 'mariadb-client' }],
  async run(ctx) {
    const queries = chunkQueries(ctx);
    const files: string[] = [];
    for (let w = 0; w < ctx.threads; w++) {
      const file = path.join(ctx.work, `queries-${w}.sql`);
      writeFileSync(file, queries.filter((_, i) => i % ctx.threads === w).join('\n') + '\n');
      files.push(file);
    }
    const script = files.map((f) => `mariadb -h 127.0.0.1 -P ${ctx.port} -u root --quick --batch --skip-column-names < '${f}' > /dev/null &`).join('\n') + '\nwait';
    return runMeasured('bash', ['-c', `set -e\n${script}`]);
  },
};

/** The driver's floor: the same ranges through mysql2 in Node, rows discarded. */
const floorMysql2: Variant = {
  id: 'floor-mysql2',
  tool: 'floor',
  label: 'raw read floor (mysql2 arrays, Node)',
  needs: [],
  async run(ctx) {
    const file = path.join(ctx.work, 'queries.sql');
    writeFileSync(file, chunkQueries(ctx).join('\n') + '\n');
    return runMeasured(process.execPath, ['--import', 'tsx', path.join(ctx.repoRoot, 'bench/floor-mysql2.ts'), String(ctx.port), String(ctx.threads), file], { cwd: ctx.repoRoot });
  },
};

/** paradump's reader alone: Session.streamRaw into nothing (precompiled with the CLI snapshot). */
const floorStream: Variant = {
  id: 'floor-stream',
  tool: 'floor',
  label: "raw read floor (paradump's row reader, Node)",
  needs: [],
  async run(ctx) {
    const file = path.join(ctx.work, 'queries.sql');
    writeFileSync(file, chunkQueries(ctx).join('\n') + '\n');
    return runMeasured(process.execPath, [path.join(path.dirname(ctx.paradump), 'floor-stream.mjs'), String(ctx.port), String(ctx.threads), file]);
  },
};

export const DUMP_VARIANTS: Variant[] = [
  paradumpDump('none', 'mydumper'),
  paradumpDump('gzip', 'mydumper-c'),
  paradumpDump('zstd', 'mydumper-c'),
  paradumpDump('zstd', 'mydumper-c', 1),
  paradumpDump('none', 'mydumper', undefined, 'tsv'),
  paradumpDump('zstd', 'mydumper-c', undefined, 'tsv'),
  mydumper(false),
  mydumper(true),
  mariadbDump,
  floorClient,
  floorMysql2,
  floorStream,
];

/** Restores read the dumps the dump suite kept (`kept`, by dump variant id). */
/**
 * paradump's restore with its defaults (secondary indexes after the data; a SQL dump rewritten to
 * LOAD DATA, as the bench target allows local_infile), with `--no-defer-indexes`, or with
 * `--load-method insert` (the SQL files' own INSERTs).
 */
function paradumpRestore(from: 'none' | 'zstd' | 'tsv-none' | 'tsv-zstd', options: { indexesFirst?: boolean; inserts?: boolean } = {}): Variant {
  const indexesFirst = options.indexesFirst === true;
  const inserts = options.inserts === true;
  const kind = { none: 'uncompressed', zstd: 'zstd', 'tsv-none': 'uncompressed tsv', 'tsv-zstd': 'zstd tsv' }[from];
  return {
    id: `paradump-restore-${from}${indexesFirst ? '-indexes-first' : ''}${inserts ? '-insert' : ''}`,
    tool: 'paradump',
    label: `paradump restore (${kind} dump${indexesFirst ? ', --no-defer-indexes' : ''}${inserts ? ', --load-method insert' : ''})`,
    peer: 'myloader',
    needs: [],
    async run(ctx) {
      const dir = ctx.kept.get(`paradump-${from}`);
      if (!dir) throw new Error(`no paradump-${from} dump kept for the restore`);
      return runMeasured(process.execPath, [
        ctx.paradump,
        'restore',
        '--from',
        dir,
        '--target',
        `mysql://root@127.0.0.1:${ctx.port}`,
        '--threads',
        String(ctx.threads),
        '--state-dir',
        path.join(ctx.work, 'restore-state'),
        ...(indexesFirst ? ['--no-defer-indexes'] : []),
        ...(inserts ? ['--load-method', 'insert'] : []),
        '--quiet',
      ]);
    },
  };
}

const myloader: Variant = {
  id: 'myloader',
  tool: 'myloader',
  label: 'myloader',
  needs: [{ command: 'myloader', pkg: 'mydumper' }],
  async run(ctx) {
    const dir = ctx.kept.get('mydumper');
    if (!dir) throw new Error('no mydumper dump kept for the restore');
    return runMeasured('myloader', [...host, '-P', String(ctx.port), '-u', 'root', '-d', dir, '-t', String(ctx.threads), '-B', ctx.database, '-o', '-v', '1']);
  },
};

const mariadbClient: Variant = {
  id: 'mariadb',
  tool: 'mariadb',
  label: 'mariadb < mariadb-dump file',
  singleThreaded: true,
  needs: [{ command: 'mariadb', pkg: 'mariadb-client' }],
  async run(ctx) {
    const dir = ctx.kept.get('mariadb-dump');
    if (!dir) throw new Error('no mariadb-dump file kept for the restore');
    return runMeasured('mariadb', [...host, '-P', String(ctx.port), '-u', 'root', ctx.database], { stdin: path.join(dir, 'dump.sql') });
  },
};

export const RESTORE_VARIANTS: Variant[] = [paradumpRestore('none'), paradumpRestore('tsv-none'), paradumpRestore('zstd'), paradumpRestore('tsv-zstd'), paradumpRestore('none', { inserts: true }), paradumpRestore('none', { indexesFirst: true }), myloader, mariadbClient];

export function missingNeeds(v: Variant): { command: string; pkg: string }[] {
  return v.needs.filter((n) => !commandExists(n.command));
}

export function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

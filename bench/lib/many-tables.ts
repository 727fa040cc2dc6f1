import { rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { commandExists, median, runMeasured, type Measured } from './measure.ts';

/** Rows per table: small enough that per-table costs (round trips, files, syncs) are all there is. */
const ROWS = 20;

export interface ManyResult {
  tables: number;
  compress: 'none' | 'zstd';
  paradump: Measured[];
  mydumper: Measured[];
}

/** Table counts of the many-tables suite; 30,000 (minutes to build and dump) only when asked. */
export function manyTableCounts(env: NodeJS.ProcessEnv = process.env): number[] {
  return env['PARADUMP_BENCH_MANY_30K'] === '1' ? [300, 3000, 30000] : [300, 3000];
}

/** Makes database `many<N>`: N tables `(id INT PRIMARY KEY, name VARCHAR(40), v INT)` × 20 rows, unless it has them. */
export async function ensureManyDatabase(port: number, tables: number, log: (line: string) => void): Promise<string> {
  const db = `many${tables}`;
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', multipleStatements: true });
  try {
    const [[row]] = (await conn.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db])) as unknown as [[{ n: number }]];
    if (Number(row.n) === tables) return db;
    log(`building ${db}: ${tables} tables × ${ROWS} rows …`);
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\`; CREATE DATABASE \`${db}\``);
    const values = Array.from({ length: ROWS }, (_, r) => `(${r + 1},'name-${r + 1}',${(r + 1) * 7})`).join(',');
    for (let from = 1; from <= tables; from += 500) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(from + 500, tables + 1); i++) {
        parts.push(`CREATE TABLE \`${db}\`.t${i} (id INT PRIMARY KEY, name VARCHAR(40), v INT); INSERT INTO \`${db}\`.t${i} VALUES ${values}`);
      }
      await conn.query(parts.join('; '));
    }
    return db;
  } finally {
    await conn.end();
  }
}

/**
 * paradump against mydumper at the same threads, per table count and compression (paradump zstd
 * against mydumper -c), alternating the two each repeat. Prints medians, the ratio and the time
 * per table, whose flatness from 300 to 30,000 tables is the target.
 */
export async function runManyTablesSuite(args: { port: number; paradump: string; work: string; threads: number; repeats: number; log: (line: string) => void }): Promise<ManyResult[]> {
  const { log } = args;
  if (!commandExists('mydumper')) log('  mydumper is not installed (apt-get install -y mydumper): paradump alone');
  const results: ManyResult[] = [];
  for (const tables of manyTableCounts()) {
    const db = await ensureManyDatabase(args.port, tables, log);
    for (const compress of ['none', 'zstd'] as const) {
      const result: ManyResult = { tables, compress, paradump: [], mydumper: [] };
      for (let rep = 0; rep < args.repeats; rep++) {
        const order = rep % 2 === 0 ? (['paradump', 'mydumper'] as const) : (['mydumper', 'paradump'] as const);
        for (const tool of order) {
          if (tool === 'mydumper' && !commandExists('mydumper')) continue;
          const out = path.join(args.work, `many-${tool}`);
          rmSync(out, { recursive: true, force: true });
          const m =
            tool === 'paradump'
              ? await runMeasured(process.execPath, [args.paradump, 'dump', '--source', `mysql://root@127.0.0.1:${args.port}`, '--databases', db, '--threads', String(args.threads), '--compress', compress, '--out', out, '--quiet'])
              : await runMeasured('mydumper', ['-h', '127.0.0.1', '-P', String(args.port), '-u', 'root', '-B', db, '-t', String(args.threads), '-o', out, ...(compress === 'zstd' ? ['-c'] : [])]);
          result[tool].push(m);
          rmSync(out, { recursive: true, force: true });
        }
      }
      results.push(result);
      log(`  many ${String(tables).padStart(5)} tables ${compress.padEnd(4)} ${describe(result)}`);
    }
  }
  for (const r of results.filter((x) => x.compress === 'zstd')) {
    const none = results.find((x) => x.tables === r.tables && x.compress === 'none');
    if (none) log(`  many ${String(r.tables).padStart(5)} tables: paradump zstd / none ${(wall(r.paradump) / wall(none.paradump)).toFixed(2)}×`);
  }
  return results;
}

function wall(list: readonly Measured[]): number {
  return median(list.map((m) => m.wallMs));
}

function describe(r: ManyResult): string {
  const p = wall(r.paradump);
  const line = `paradump ${(p / 1000).toFixed(2)} s (${(p / r.tables).toFixed(2)} ms/table)`;
  if (r.mydumper.length === 0) return line;
  const m = wall(r.mydumper);
  return `${line}  mydumper${r.compress === 'zstd' ? ' -c' : ''} ${(m / 1000).toFixed(2)} s  ratio ${(p / m).toFixed(2)}×`;
}

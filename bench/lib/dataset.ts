import { spawn } from 'node:child_process';
import mysql from 'mysql2/promise';
import { commandExists } from './measure.ts';

/** One database per row count, so a dataset of 8 × 1 M rows survives a quick run over 2 × 200 k. */
export function datasetName(rows: number, defaultRows: number): string {
  return rows === defaultRows ? 'sbtest' : `sbtest_r${rows}`;
}

export interface DatasetShape {
  database: string;
  tables: number;
  rows: number;
}

/**
 * Makes sure `database` holds sysbench's sbtest1..N tables with exactly `rows` rows each (ids 1..rows);
 * more tables may exist (a run over fewer tables uses the first N). Rebuilt from scratch otherwise:
 * with Debian's sysbench when installed (`oltp_common prepare`), else with a generator of the same
 * shape. Returns how it was obtained.
 */
export async function ensureDataset(options: { port: number; shape: DatasetShape; log: (line: string) => void }): Promise<'kept' | 'sysbench' | 'generator'> {
  const { port, shape, log } = options;
  const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  try {
    if (await hasShape(conn, shape)) return 'kept';
    log(`building dataset ${shape.database}: ${shape.tables} tables × ${shape.rows.toLocaleString('en-US')} rows …`);
    await conn.query(`DROP DATABASE IF EXISTS \`${shape.database}\``);
    await conn.query(`CREATE DATABASE \`${shape.database}\``);
    const started = performance.now();
    let how: 'sysbench' | 'generator';
    if (commandExists('sysbench')) {
      await runSysbench(port, shape);
      how = 'sysbench';
    } else {
      log('sysbench is not installed (apt-get install -y sysbench): generating the same shape in Node');
      await generate(port, shape);
      how = 'generator';
    }
    if (!(await hasShape(conn, shape))) throw new Error(`dataset ${shape.database} does not have the expected shape after building it`);
    // The load went through the binary log; the benchmark does not need it.
    await conn.query('RESET MASTER');
    log(`  built with ${how} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return how;
  } finally {
    await conn.end();
  }
}

async function hasShape(conn: mysql.Connection, shape: DatasetShape): Promise<boolean> {
  const [tables] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [shape.database],
  );
  const names = new Set(tables.map((r) => String(r.t)));
  for (let i = 1; i <= shape.tables; i++) {
    if (!names.has(`sbtest${i}`)) return false;
    // MIN/MAX of the primary key are index dives; with ids 1..rows they pin the row count.
    const [[r]] = (await conn.query(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM \`${shape.database}\`.sbtest${i}`)) as unknown as [[{ lo: number | null; hi: number | null }]];
    if (r.lo !== 1 || r.hi !== shape.rows) return false;
  }
  return true;
}

function runSysbench(port: number, shape: DatasetShape): Promise<void> {
  const args = [
    'oltp_common',
    '--db-driver=mysql',
    '--mysql-host=127.0.0.1',
    `--mysql-port=${port}`,
    '--mysql-user=root',
    '--mysql-password=',
    `--mysql-db=${shape.database}`,
    `--tables=${shape.tables}`,
    `--table-size=${shape.rows}`,
    `--threads=${Math.min(shape.tables, 2)}`,
    'prepare',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sysbench', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sysbench prepare exited with ${code}: ${err.slice(-2000)}`))));
  });
}

/** sysbench's shape without sysbench: same DDL, same value templates (groups of 11 random digits). */
async function generate(port: number, shape: DatasetShape): Promise<void> {
  const work = Array.from({ length: shape.tables }, (_, i) => i + 1);
  const worker = async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: shape.database });
    try {
      for (let t = work.shift(); t !== undefined; t = work.shift()) {
        await conn.query(
          `CREATE TABLE sbtest${t} (id INTEGER NOT NULL, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) ENGINE = InnoDB`,
        );
        const batch = 1000;
        for (let start = 1; start <= shape.rows; start += batch) {
          const parts: string[] = [];
          for (let id = start; id < Math.min(start + batch, shape.rows + 1); id++) {
            parts.push(`(${id},${1 + Math.floor(Math.random() * shape.rows)},'${digits(10)}','${digits(5)}')`);
          }
          await conn.query(`INSERT INTO sbtest${t} (id, k, c, pad) VALUES ${parts.join(',')}`);
        }
        await conn.query(`CREATE INDEX k_${t} ON sbtest${t}(k)`);
      }
    } finally {
      await conn.end();
    }
  };
  await Promise.all([worker(), worker()]);
}

function digits(groups: number): string {
  const out: string[] = [];
  for (let g = 0; g < groups; g++) {
    let s = '';
    for (let i = 0; i < 11; i++) s += String.fromCharCode(48 + Math.floor(Math.random() * 10));
    out.push(s);
  }
  return out.join('-');
}

// The driver floor: the same chunk SELECTs as the dump, on N mysql2 connections (rowsAsArray, raw
// Buffers), rows thrown away. Shows what Node + mysql2 cost before any encoding or writing.
// Usage: node --import tsx bench/floor-mysql2.ts PORT THREADS QUERIES_FILE
import { readFileSync } from 'node:fs';
import mysql from 'mysql2';

const [port, threads, file] = process.argv.slice(2);
const queries = readFileSync(file!, 'utf8').split('\n').filter(Boolean);
let next = 0;

async function worker(): Promise<void> {
  const conn = mysql.createConnection({ host: '127.0.0.1', port: Number(port), user: 'root' });
  try {
    for (let q = queries[next++]; q !== undefined; q = queries[next++]) {
      const sql = q;
      await new Promise<void>((resolve, reject) => {
        const stream = conn.query({ sql, rowsAsArray: true, typeCast: false }).stream({ highWaterMark: 256 });
        stream.on('data', () => undefined);
        stream.once('end', resolve);
        stream.once('error', reject);
      });
    }
  } finally {
    conn.end();
  }
}

await Promise.all(Array.from({ length: Number(threads) }, () => worker()));

// The reader's floor: the same chunk SELECTs as the dump, on N connections, through paradump's own
// row reader (Session.streamRaw: row packets copied into batches), batches discarded. What a dump
// costs before any encoding, hashing or writing — the fastest way Node can take rows off the wire.
// Usage: node --import tsx bench/floor-stream.ts PORT THREADS QUERIES_FILE (the bench runs it precompiled)
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openReader } from '../lib/mysql/open-reader.ts';
import type { RowBatch } from '../lib/core/row-batch.ts';
import { parseServerUri } from '../lib/mysql/uri.ts';

const [port, threads, file] = process.argv.slice(2);
const queries = readFileSync(file!, 'utf8').split('\n').filter(Boolean);
let next = 0;

async function worker(): Promise<void> {
  const session = await openReader(parseServerUri(`mysql://root@127.0.0.1:${port}`));
  try {
    for (let q = queries[next++]; q !== undefined; q = queries[next++]) {
      const { stream } = session.streamRaw(q);
      await pipeline(stream, new Writable({ objectMode: true, write: (batch: RowBatch, _e, done) => (batch.recycle?.(), done()) }));
    }
  } finally {
    await session.close();
  }
}

await Promise.all(Array.from({ length: Number(threads) }, () => worker()));

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import type { Manifest } from '../../lib/core/manifest.ts';
import type { RestoreEvent } from '../../lib/restore/events.ts';
import { restore } from '../../lib/restore/restore.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { checksumTables, connect, createTestDatabase, quoteIdent, runSqlFile, tableDefinitions, type TestDatabase } from '../harness/db.ts';

const uri = inject('mariadbUri');
const fixture = path.resolve('test/fixtures/every-type.sql');

interface ChildRun {
  events: RestoreEvent[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `paradump restore … --json` as a child process and SIGKILLs it the moment `killWhen` says so
 * (checked on every event it prints), as `kill -9` would.
 */
function runRestoreChild(args: string[], killWhen: (e: RestoreEvent, seen: RestoreEvent[]) => boolean): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/paradump.mjs', 'restore', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: RestoreEvent[] = [];
    let stderr = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (killed || !line.startsWith('{')) return;
      const e = JSON.parse(line) as RestoreEvent;
      events.push(e);
      if (killWhen(e, events)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ events, code, signal, stderr }));
  });
}

async function rowCounts(u: string, db: string, tables: string[]): Promise<Record<string, number>> {
  const c = await connect(u);
  try {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const [[row]] = (await c.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(db)}.${quoteIdent(t)}`)) as unknown as [[{ n: number }]];
      out[t] = Number(row.n);
    }
    return out;
  } finally {
    await c.end();
  }
}

describe('restore resume after kill -9', () => {
  let src: TestDatabase;
  let target: ThrowawayServer;
  let dir: string;
  let manifest: Manifest;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    target = await startThrowawayServer({ serverId: 2 });
    cleanup.push(() => target.stop());
    src = await createTestDatabase(uri, 'rr_src');
    cleanup.push(src.drop);
    await runSqlFile(uri, src.name, fixture);
    await createChunkTable({ uri, db: src.name, table: 'big', rows: 30_000, key: 'int' });
    const c = await connect(uri, src.name);
    try {
      // A table without transactions: a chunk cut off mid-way leaves rows behind.
      await c.query('CREATE TABLE big_myisam (id BIGINT NOT NULL PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad VARCHAR(200) NOT NULL, KEY k_k (k)) ENGINE=MyISAM');
      await c.query('INSERT INTO big_myisam SELECT id, k, c, CONCAT(c, pad) FROM big WHERE id <= 12000');
    } finally {
      await c.end();
    }
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'paradump-resume-')), 'dump');
    cleanup.push(() => rm(path.dirname(dir), { recursive: true, force: true }));
    manifest = await dump({ source: uri, outDir: dir, databases: [src.name], threads: 2, chunkRows: 500, statementBytes: 4096 });
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  const expectIdentical = async (targetDb: string) => {
    const tables = manifest.tables.map((t) => t.table);
    expect(await rowCounts(target.uri, targetDb, tables)).toEqual(await rowCounts(uri, src.name, tables));
    expect(await checksumTables(target.uri, targetDb)).toEqual(await checksumTables(uri, src.name));
    const [a, b] = [await tableDefinitions(uri, src.name), await tableDefinitions(target.uri, targetDb)];
    for (const kind of ['tables', 'sequences', 'views', 'triggers', 'procedures', 'functions', 'events'] as const) expect(b[kind], kind).toEqual(a[kind]);
  };

  it('killed while creating tables, after 3 chunks, mid-way through a MyISAM chunk and while creating objects: --resume ends identical, no row lost or doubled', async () => {
    const base = ['--from', dir, '--target', target.uri, '--threads', '3', '--defer-indexes'];
    const chunksFinished = (seen: RestoreEvent[]) => seen.filter((x) => x.type === 'chunk-finished').length;
    const points: [string, string[], (e: RestoreEvent, seen: RestoreEvent[]) => boolean][] = [
      ['while creating tables', base, (e) => e.type === 'table-created'],
      ['after 3 chunks', [...base, '--resume'], (_e, seen) => chunksFinished(seen) >= 3],
      // Rows of a MyISAM chunk are in, the rest of it not yet: no transaction to roll that back.
      // INSERTs report rows as they go in (a LOAD DATA only at its end), so this run uses them; the
      // other runs load the same dump with LOAD DATA, and resume across the two.
      ['in the middle of a MyISAM chunk', [...base, '--resume', '--load-method', 'insert'], (e) => e.type === 'chunk-progress' && e.table === 'big_myisam' && e.rows > 0],
      ['while creating objects', [...base, '--resume'], (e) => e.type === 'object-created' && e.objectType !== 'sequence'],
    ];
    const runs: ChildRun[] = [];
    for (const [name, args, when] of points) {
      const r = await runRestoreChild(args, when);
      runs.push(r);
      expect(r.signal, `${name}: ${r.stderr}`).toBe('SIGKILL');
    }
    // Resumed runs skip what the journal says is in, and clear the range of the chunk cut off.
    expect(runs[2]!.events.filter((e) => e.type === 'chunk-skipped').length).toBeGreaterThanOrEqual(3);
    const cut = runs[2]!.events.findLast((e) => e.type === 'chunk-progress' && e.table === 'big_myisam') as Extract<RestoreEvent, { type: 'chunk-progress' }>;
    const cleared = runs[3]!.events.find((e) => e.type === 'range-cleared' && e.table === 'big_myisam' && e.index === cut.index);
    expect(cleared).toMatchObject({ type: 'range-cleared' });
    expect((cleared as Extract<RestoreEvent, { type: 'range-cleared' }>).rowsDeleted).toBeGreaterThanOrEqual(cut.rows);

    const last = await runRestoreChild([...base, '--resume'], () => false);
    expect(last.code, last.stderr).toBe(0);
    expect(last.events.at(-1)!.type).toBe('run-finished');
    const count = (type: RestoreEvent['type']) => last.events.filter((e) => e.type === type).length;
    expect(count('chunk-skipped') + count('chunk-finished')).toBe(manifest.totals.chunks);
    expect(count('chunk-finished')).toBe(0);
    await expectIdentical(src.name);

    const again = await runRestoreChild([...base, '--resume'], () => false);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/nothing to resume: the restore journaled at .* finished/);
  });

  it('a crash after COMMIT but before the journal: resume clears that chunk range and loads it once', async () => {
    const targetDb = `${src.name}_hook`;
    const rename = { [src.name]: targetDb };
    let commits = 0;
    let victim: { table: string; index: number } | null = null;
    const failed = await restore(
      { from: dir, target: target.uri, rename, threads: 2 },
      {
        hooks: {
          afterChunkCommitted: async (chunk) => {
            if (++commits === 8) {
              victim = chunk;
              throw new Error('simulated crash between commit and journal');
            }
          },
        },
      },
    ).catch((e: unknown) => e);
    expect(String(failed)).toMatch(/simulated crash/);
    expect(victim).not.toBeNull();
    const { table, index } = victim!;
    const chunk = manifest.tables.find((t) => t.table === table)!.chunks.find((c) => c.index === index)!;

    const events: RestoreEvent[] = [];
    const r = await restore({ from: dir, target: target.uri, rename, threads: 2, resume: true }, { onEvent: (e) => events.push(e) });
    expect(r.resumed).toBe(true);
    expect(r.skippedChunks).toBeGreaterThanOrEqual(7);
    const cleared = events.find((e) => e.type === 'range-cleared' && e.table === table && e.index === index);
    expect(cleared).toMatchObject({ rowsDeleted: chunk.rows });
    await expectIdentical(targetDb);
  });

  it('an aborted restore (Ctrl-C) resumes to the same end', async () => {
    const targetDb = `${src.name}_abort`;
    const rename = { [src.name]: targetDb };
    const abort = new AbortController();
    let finished = 0;
    const error = await restore({ from: dir, target: target.uri, rename, threads: 3 }, {
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'chunk-finished' && ++finished === 10) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ABORTED' });
    await restore({ from: dir, target: target.uri, rename, threads: 3, resume: true });
    await expectIdentical(targetDb);
  });
});

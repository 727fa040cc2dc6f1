import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../lib/sandbox/throwaway-server.ts';
import { connect, createTestDatabase, uniqueName, type TestDatabase } from '../test/harness/db.ts';
import { main } from './main.ts';

const uri = inject('mariadbUri');
const port = new URL(uri).port;

/** Runs the CLI in-process, capturing what it prints. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream });
  return { code, stdout: out, stderr: err };
}

describe('paradump dump (CLI)', () => {
  let db: TestDatabase;
  const cleanup: (() => Promise<void>)[] = [];
  const tmp = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'paradump-cli-'));
    cleanup.push(() => rm(d, { recursive: true, force: true }));
    return d;
  };

  beforeAll(async () => {
    db = await createTestDatabase(uri, 'cli');
    cleanup.push(db.drop);
    const c = await connect(uri, db.name);
    await c.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, "a"), (2, "b"), (3, "c")');
    await c.end();
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('dumps through the real bin script and prints JSON events', async () => {
    const out = path.join(await tmp(), 'dump');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/paradump.mjs', 'dump', '--source', uri, '--databases', db.name, '--out', out, '--json', '--threads', '2'], {
      env: { ...process.env },
    });
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events[0]!.type).toBe('run-started');
    expect(events.at(-1)!.type).toBe('run-finished');
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { totals: { rows: number } };
    expect(manifest.totals.rows).toBe(3);
  });

  const cases: [string, () => Promise<string[]>, number, RegExp][] = [
    ['bad --threads', async () => ['dump', '--source', uri, '--out', path.join(await tmp(), 'x'), '--threads', 'lots'], 2, /--threads must be a whole number/],
    ['bad --format', async () => ['dump', '--source', uri, '--out', path.join(await tmp(), 'x'), '--format', 'csv'], 2, /--format must be sql or tsv, got "csv"/],
    ['bad --load-method', async () => ['restore', '--from', await tmp(), '--target', uri, '--load-method', 'copy'], 2, /--load-method must be auto, load-data or insert, got "copy"/],
    ['threads out of range', async () => ['dump', '--source', uri, '--out', path.join(await tmp(), 'x'), '--threads', '0'], 2, /threads must be an integer from 1 to 64/],
    ['unknown option', async () => ['dump', '--source', uri, '--bogus'], 2, /Unknown option '--bogus'/],
    ['missing --out', async () => ['dump', '--source', uri], 2, /--out is required/],
    ['bad URI', async () => ['dump', '--source', 'mysql://root@127.0.0.1:99999', '--out', path.join(await tmp(), 'x')], 2, /invalid port/],
    ['injected URI option', async () => ['dump', '--source', `mysql://root@127.0.0.1:${port}?multipleStatements=true`, '--out', path.join(await tmp(), 'x')], 2, /unknown URI option "multipleStatements"/],
    ['unreachable server', async () => ['dump', '--source', `mysql://root@127.0.0.1:${await findFreePort()}`, '--out', path.join(await tmp(), 'x')], 1, /connection refused/],
    ['wrong password', async () => ['dump', '--source', `mysql://root:wrong@127.0.0.1:${port}`, '--out', path.join(await tmp(), 'x')], 1, /access denied/i],
    ['unknown database', async () => ['dump', '--source', uri, '--databases', 'no_such_db_here', '--out', path.join(await tmp(), 'x')], 1, /unknown database "no_such_db_here"/],
    ['unknown table', async () => ['dump', '--source', uri, '--tables', `${db.name}.nope`, '--out', path.join(await tmp(), 'x')], 1, /unknown table/],
    [
      'non-empty output directory',
      async () => {
        const d = await tmp();
        await writeFile(path.join(d, 'precious.txt'), 'keep me');
        return ['dump', '--source', uri, '--databases', db.name, '--out', d];
      },
      1,
      /is not empty/,
    ],
  ];
  for (const [name, args, code, message] of cases) {
    it(`fails clearly on ${name}`, async () => {
      const r = await run(await args());
      expect(r.code).toBe(code);
      // One line says what is wrong (progress lines may come before it).
      const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('paradump:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
    });
  }

  it('names the missing privileges', async () => {
    const user = uniqueName('lowpriv');
    const c = await connect(uri);
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW ON *.* TO '${user}'@'%'`);
    cleanup.push(async () => {
      await c.query(`DROP USER '${user}'@'%'`);
      await c.end();
    });
    const r = await run(['dump', '--source', `mysql://${user}:pw@127.0.0.1:${port}`, '--databases', db.name, '--out', path.join(await tmp(), 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lacks privileges a snapshot dump needs: RELOAD.*BINLOG MONITOR/);
  });

  it('leaves an existing non-empty directory untouched', async () => {
    const d = await tmp();
    await writeFile(path.join(d, 'precious.txt'), 'keep me');
    await run(['dump', '--source', uri, '--databases', db.name, '--out', d]);
    expect(await readFile(path.join(d, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

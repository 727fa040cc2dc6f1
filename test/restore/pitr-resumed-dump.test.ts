import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dump } from '../../lib/engine/dump.ts';
import { createChunkTable } from '../fixtures/generate.ts';
import { createTestDatabase } from '../harness/db.ts';
import { runCli } from './run-cli.ts';

const uri = inject('mariadbUri');

describe('pitr from a resumed dump', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('is refused with SEVERAL_SNAPSHOTS, the code docs/restore.md names, before anything connects', async () => {
    const src = await createTestDatabase(uri, 'pitr_resumed');
    cleanup.push(src.drop);
    await createChunkTable({ uri, db: src.name, table: 't', rows: 6_000 });
    const root = await mkdtemp(path.join(os.tmpdir(), 'paradump-pitr-resumed-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const dir = path.join(root, 'dump');
    const abort = new AbortController();
    let chunks = 0;
    await dump({ source: uri, outDir: dir, databases: [src.name], chunkRows: 500, threads: 1 }, { signal: abort.signal, onEvent: (e) => e.type === 'chunk-finished' && ++chunks === 3 && abort.abort() }).catch(() => undefined);
    const manifest = await dump({ source: uri, outDir: dir, resume: true });
    expect(new Set(manifest.tables[0]!.chunks.map((c) => c.snapshot)).size).toBe(2);

    const r = await runCli(['pitr', '--from', dir, '--source', uri, '--target', uri, '--rename', `${src.name}:${src.name}_copy`, '--until', 'end', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\.t was read in 2 snapshots \(the dump was resumed\).*\[SEVERAL_SNAPSHOTS\]/);
  });
});

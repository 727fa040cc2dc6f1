import { describe, expect, it } from 'vitest';
import { createRestoreProgress } from './progress.ts';

describe('createRestoreProgress', () => {
  it('counts chunks in flight and finished, and gives an ETA from the rate so far', () => {
    let now = 0;
    const p = createRestoreProgress(() => now);
    p.onEvent({ type: 'run-started', at: '', target: 't', flavor: 'mariadb', version: '10.11', resumed: false, loadMethod: 'insert', databases: 1, tables: 1, objects: 0, chunks: 4, rows: 400, bytes: 4000 });
    expect(p.snapshot()).toMatchObject({ fraction: 0, etaSeconds: null });
    const at = { database: 'd', table: 't', worker: 0 };
    p.onEvent({ type: 'chunk-started', ...at, index: 0, rows: 100, bytes: 1000 });
    now = 1000;
    p.onEvent({ type: 'chunk-progress', ...at, index: 0, rows: 50, bytes: 500 });
    expect(p.snapshot()).toMatchObject({ rowsDone: 50, bytesDone: 500, etaSeconds: null });
    now = 2000;
    p.onEvent({ type: 'chunk-finished', ...at, index: 0, rows: 100, bytes: 1000, durationMs: 2000 });
    const s = p.snapshot();
    expect(s).toMatchObject({ chunksDone: 1, chunksTotal: 4, rowsDone: 100, bytesDone: 1000, fraction: 0.25, bytesPerSecond: 500 });
    expect(s.etaSeconds).toBeCloseTo(6);
  });
});

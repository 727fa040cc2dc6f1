import { describe, expect, it } from 'vitest';
import { applyDelta } from './apply-delta.ts';
import { computeProgress, throughputSeries } from './progress.ts';
import { LiveRun } from './registry.ts';
import { startedRunState } from './run-state.fixture.ts';
import type { RunDelta, RunState, StreamMessage } from './schemas.ts';

const empty: RunState = startedRunState();

const planned: RunDelta = {
  type: 'table',
  table: {
    database: 'shop',
    table: 'orders',
    targetDatabase: null,
    chunkKey: ['id'],
    rowsEstimate: 1000,
    bytesEstimate: 0,
    status: 'planned',
    skip: null,
    chunks: [0, 1, 2, 3].map((index) => ({ index, lower: index ? [index * 250 + 1] : null, upper: index < 3 ? [(index + 1) * 250 + 1] : null, state: 'pending' as const, rows: 0, bytes: 0, sha256: null, durationMs: null, worker: null })),
  },
};
const chunkDone = (index: number): RunDelta => ({ type: 'chunk', database: 'shop', table: 'orders', chunk: { index, lower: null, upper: null, state: 'done', rows: 250, bytes: 1000, sha256: 'a'.repeat(64), durationMs: 5, worker: 0 } });

describe('LiveRun', () => {
  it('sends a snapshot to a new listener, then each change with increasing ids', () => {
    const live = new LiveRun({ state: empty, knownTables: [] });
    live.publish(planned);
    const got: [StreamMessage, string][] = [];
    live.subscribe((m, id) => got.push([m, id]), null);
    live.publish(chunkDone(0));
    expect(got.map(([m]) => m.type)).toEqual(['snapshot', 'delta']);
    expect(got[0]![1]).toBe(`${live.epoch}.1`);
    expect(got[1]![1]).toBe(`${live.epoch}.2`);
  });

  it('replays only what came after Last-Event-ID, and a snapshot for an id of another epoch', () => {
    const live = new LiveRun({ state: empty, knownTables: [] });
    live.publish(planned);
    const seen = live.eventId;
    live.publish(chunkDone(0));
    live.publish(chunkDone(1));
    const replayed: StreamMessage[] = [];
    live.subscribe((m) => replayed.push(m), seen);
    expect(replayed.map((m) => (m.type === 'delta' ? m.delta.type : m.type))).toEqual(['chunk', 'chunk']);
    const other: StreamMessage[] = [];
    live.subscribe((m) => other.push(m), 'deadbeef.2');
    expect(other.map((m) => m.type)).toEqual(['snapshot']);
    // The replayed client ends up where the server is.
    let state = applyDelta(empty, planned);
    for (const m of replayed) if (m.type === 'delta') state = applyDelta(state, m.delta);
    expect(state).toEqual(live.state);
  });
});

describe('computeProgress', () => {
  it('counts rows of running and finished chunks and hides the ETA until it means something', () => {
    let state = applyDelta(empty, planned);
    state = applyDelta(state, chunkDone(0));
    const p = computeProgress(state, Date.parse('2026-11-24T10:00:01Z'));
    expect(p).toMatchObject({ rows: 250, chunks: 4, chunksDone: 1, percent: 25, etaMs: null, etaReason: 'Measuring' });
    const t0 = Date.parse('2026-11-24T10:00:00Z');
    for (let i = 0; i <= 6; i++) state = applyDelta(state, { type: 'sample', sample: { t: t0 + i * 1000, rows: i === 0 ? 0 : 250 + (i - 1) * 10, bytes: 0 } });
    const later = computeProgress(state, t0 + 6000);
    expect(later.rowsPerSecond).toBeCloseTo(10);
    expect(later.etaMs).toBeCloseTo(((1000 - 250) / 10) * 1000);
  });

  it('gives 100% only to a succeeded run, and skips gaps in the throughput series', () => {
    let state = applyDelta(empty, planned);
    for (const i of [0, 1, 2, 3]) state = applyDelta(state, chunkDone(i));
    expect(computeProgress(state).percent).toBe(99);
    expect(computeProgress({ ...state, status: 'succeeded' }).percent).toBe(100);
    const series = throughputSeries([
      { t: 0, rows: 0, bytes: 0 },
      { t: 1000, rows: 100, bytes: 1024 * 1024 },
      { t: 60_000, rows: 200, bytes: 0 },
    ]);
    expect(series).toEqual([
      { t: 1000, rowsPerSecond: 100, mibPerSecond: 1 },
      { t: 1001, rowsPerSecond: null, mibPerSecond: null },
    ]);
  });
});

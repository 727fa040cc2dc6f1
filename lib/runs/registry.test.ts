import { describe, expect, it } from 'vitest';
import { applyDelta } from './apply-delta.ts';
import { computeProgress, throughputSeries } from './progress.ts';
import { LiveRun, MAX_TABLES_PER_FRAME } from './registry.ts';
import { applyViewDeltas, toRunView } from './run-view.ts';
import { startedRunState } from './run-state.fixture.ts';
import type { RunDelta, RunState, StreamMessage, TableView } from './schemas.ts';

const empty: RunState = startedRunState();

const planned: Extract<RunDelta, { type: 'table' }> & { table: TableView } = {
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
  it('sends a view to a new listener, then a frame per interval with increasing ids', () => {
    const live = new LiveRun({ state: empty, knownTables: [] });
    live.publish(planned);
    const got: [StreamMessage, string][] = [];
    live.subscribe((m, id) => got.push([m, id]), null);
    live.publish(chunkDone(0));
    live.publish(chunkDone(1));
    live.sendFrame();
    expect(got.map(([m]) => m.type)).toEqual(['snapshot', 'frame']);
    expect(got[0]![1]).toBe(`${live.epoch}.1`);
    expect(got[1]![1]).toBe(`${live.epoch}.2`);
    // Two chunk changes of one table: one summary in the frame.
    expect(got[1]![0]).toEqual({ type: 'frame', deltas: [{ type: 'tables', tables: [expect.objectContaining({ table: 'orders', counts: { total: 4, done: 2, running: 0, rows: 500, bytes: 2000 } })] }] });
    expect(live.sendFrame()).toBe(false);
    expect(got).toHaveLength(2);
  });

  it('replays only the frames after Last-Event-ID, and a view for an id of another epoch', () => {
    const live = new LiveRun({ state: empty, knownTables: [] });
    live.publish(planned);
    const start = live.view();
    live.publish(chunkDone(0));
    live.sendFrame();
    live.publish(chunkDone(1));
    live.publish({ type: 'log', entry: { at: '2026-11-24T10:00:01.000Z', level: 'info', code: null, message: 'hello', database: null, table: null } });
    live.sendFrame();
    const replayed: StreamMessage[] = [];
    live.subscribe((m) => replayed.push(m), start.eventId);
    expect(replayed.map((m) => m.type)).toEqual(['frame', 'frame']);
    const other: StreamMessage[] = [];
    live.subscribe((m) => other.push(m), 'deadbeef.2');
    expect(other.map((m) => m.type)).toEqual(['snapshot']);
    // The replayed client ends up where the server is.
    let view = start.state;
    for (const m of replayed) if (m.type === 'frame') view = applyViewDeltas(view, m.deltas);
    expect(view).toEqual(toRunView(live.state));
    expect(view.log.map((e) => e.message)).toEqual(['hello']);
  });

  it('bounds a frame: thousands of changed tables go out a hundred at a time, all of them in the end', () => {
    const live = new LiveRun({ state: empty, knownTables: [] });
    const frames: StreamMessage[] = [];
    live.subscribe((m) => frames.push(m), null);
    for (let t = 0; t < 3000; t++) live.publish({ type: 'table', table: { ...planned.table, table: `t${t}` } });
    while (live.sendFrame()) {
      /* until nothing is left */
    }
    live.sendFrame();
    const sizes = frames.flatMap((m) => (m.type === 'frame' ? m.deltas.flatMap((d) => (d.type === 'tables' ? [d.tables.length] : [])) : []));
    expect(Math.max(...sizes)).toBe(MAX_TABLES_PER_FRAME);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(live.state.tables).toHaveLength(3000);
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

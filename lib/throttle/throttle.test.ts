import { describe, expect, it } from 'vitest';
import { MaxRate, parseByteRate } from '../core/dump-options.ts';
import { ByteRate } from './byte-rate.ts';
import { dumpEventToDeltas } from '../runs/dump-deltas.ts';
import { restoreEventToDeltas } from '../runs/restore-deltas.ts';

describe('parseByteRate', () => {
  it('reads plain numbers and decimal or binary suffixes', () => {
    expect(parseByteRate('1000000')).toBe(1_000_000);
    expect(parseByteRate('10M')).toBe(10_000_000);
    expect(parseByteRate('512K')).toBe(512_000);
    expect(parseByteRate('512Ki')).toBe(524_288);
    expect(parseByteRate('1.5G')).toBe(1_500_000_000);
    expect(parseByteRate('3MB/s')).toBe(3_000_000);
    expect(parseByteRate('2mib')).toBe(2 * 1024 * 1024);
    expect(parseByteRate('fast')).toBeNull();
    expect(parseByteRate('10T')).toBeNull();
  });

  it('MaxRate refuses below 1M', () => {
    expect(MaxRate.parse('10M')).toBe(10_000_000);
    expect(MaxRate.safeParse('512K').success).toBe(false);
    expect(MaxRate.safeParse('x').success).toBe(false);
  });
});

describe('ByteRate', () => {
  it('spaces reservations at the rate across callers, after a small burst', () => {
    let now = 1000;
    const rate = new ByteRate(1_000_000, 50, () => now);
    expect(rate.reserve(25_000)).toBe(0); // 25 ms of bytes: inside the burst
    expect(rate.reserve(25_000)).toBe(0); // 50 ms
    expect(rate.reserve(100_000)).toBeCloseTo(100); // due at 150 ms, 50 ms burst
    // Another worker at the same moment queues behind it: the rate is for the run, not per caller.
    expect(rate.reserve(100_000)).toBeCloseTo(200);
    now += 1000; // idle: no credit beyond the burst builds up
    expect(rate.reserve(100_000)).toBeCloseTo(50);
  });
});

describe('throttle events in the run log', () => {
  it('reads "throttled: Threads_running 84 > 60" and "resumed: …"', () => {
    const state = { chunk: () => undefined };
    const paused = dumpEventToDeltas({ state, attempt: 1, event: { type: 'throttle', reason: 'threads-running', state: 'paused', value: 84, limit: 60 } });
    expect(paused).toMatchObject([{ type: 'log', entry: { level: 'info', message: 'throttled: Threads_running 84 > 60; new chunks wait' } }]);
    const resumed = restoreEventToDeltas({ state, event: { type: 'throttle', reason: 'threads-running', state: 'resumed', value: 12, limit: 60 } });
    expect(resumed).toMatchObject([{ type: 'log', entry: { message: 'resumed: Threads_running 12 ≤ 60' } }]);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS, openRunStream } from './open-run-stream.ts';
import { addLiveRun, LiveRun, removeLiveRun } from './registry.ts';
import { startedRunState } from './run-state.fixture.ts';
import type { RunState } from './schemas.ts';

const state: RunState = startedRunState({ id: 'sse-1' });

afterEach(() => {
  vi.useRealTimers();
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value);
  }
}

describe('run event stream', () => {
  it('keeps a signed-in stream open with heartbeats and closes it at the first heartbeat after sign-out', async () => {
    vi.useFakeTimers();
    const live = new LiveRun({ state, knownTables: [] });
    addLiveRun(live);
    let signedIn = true;
    let checks = 0;
    try {
      const stream = await openRunStream({ id: state.id, lastEventId: null, stillAuthorised: async () => (checks++, signedIn) });
      const text = readAll(stream);
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 2);
      expect(checks).toBe(2);
      signedIn = false;
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
      const all = await text; // ends: the stream was closed
      expect(all.match(/: heartbeat/g)).toHaveLength(2);
      expect(all).toContain('"type":"snapshot"');
      expect(checks).toBe(3);
    } finally {
      removeLiveRun(live);
    }
  });

  it('treats a failing session check as signed out', async () => {
    vi.useFakeTimers();
    const live = new LiveRun({ state: { ...state, id: 'sse-2' }, knownTables: [] });
    addLiveRun(live);
    try {
      const stream = await openRunStream({ id: 'sse-2', lastEventId: null, stillAuthorised: () => Promise.reject(new Error('store gone')) });
      const text = readAll(stream);
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
      expect(await text).not.toContain(': heartbeat');
    } finally {
      removeLiveRun(live);
    }
  });
});

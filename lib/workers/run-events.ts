import type { Redis } from 'ioredis';
import { LiveRun, type RemoteRunSource } from '../runs/registry.ts';
import type { RunDelta, RunState } from '../runs/schemas.ts';
import { duplicateRedis, keys } from './redis.ts';

/** How often a worker sends a run's changes: the dashboard's own frame interval. */
export const FORWARD_INTERVAL_MS = 250;
/** A finished run's changes stay this long (a page opened just then still gets its end). */
const KEEP_AFTER_END_S = 600;
/** At most this many entries per run (4 a second: over an hour of frames); older ones are trimmed. */
const MAX_ENTRIES = 20_000;

/**
 * Sends a live run's changes to Redis, on a stream of its own: first its whole state (`start`), then
 * the changes of each interval as one entry, then `end` once its end is in the store. A new attempt
 * starts the stream again.
 */
export async function forwardRun({ redis, live }: { redis: Redis; live: LiveRun }): Promise<{ stop(): Promise<void> }> {
  const key = keys.events(live.runId);
  let pending: RunDelta[] = [];
  live.tap = (delta) => pending.push(delta);
  // The state as of now holds every change published before the tap: nothing is missed or doubled.
  await redis.multi().del(key).xadd(key, '*', 't', 'start', 'state', JSON.stringify(live.state)).exec();
  let chain: Promise<unknown> = Promise.resolve();
  const send = () => {
    if (pending.length === 0) return chain;
    const deltas = pending;
    pending = [];
    chain = chain.then(() => redis.xadd(key, 'MAXLEN', '~', MAX_ENTRIES, '*', 't', 'deltas', 'd', JSON.stringify(deltas))).catch((error: unknown) => console.error(`paradump: forwarding run ${live.runId}`, error));
    return chain;
  };
  const timer = setInterval(() => void send(), FORWARD_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      live.tap = null;
      await send();
      await redis.multi().xadd(key, '*', 't', 'end').expire(key, KEEP_AFTER_END_S).exec();
    },
  };
}

type Entry = [id: string, fields: string[]];

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/**
 * The dashboard's side: a mirror (a LiveRun that records nothing) of a run a worker runs, built from
 * its stream and kept up to date with a blocking read, one per run however many browsers watch it.
 * Undefined when the run has no stream or it has ended (the store has its final state then).
 */
export function mirrorSource({ redis }: { redis: Redis }): RemoteRunSource & { close(): void } {
  const mirrors = new Map<string, Promise<LiveRun | undefined>>();
  let closed = false;
  const follow = async (live: LiveRun, after: string) => {
    const reader = duplicateRedis(redis, `run ${live.runId} follower`);
    let last = after;
    try {
      while (!closed && !live.ended) {
        const reply = (await reader.xread('BLOCK', 5_000, 'STREAMS', keys.events(live.runId), last)) as [string, Entry[]][] | null;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          last = id;
          const t = field(fields, 't');
          if (t === 'deltas') for (const d of JSON.parse(field(fields, 'd') ?? '[]') as RunDelta[]) live.publish(d);
          // A new attempt (another worker) starts again: browsers reconnect to a fresh mirror.
          if (t === 'end' || t === 'start') {
            await live.end();
            break;
          }
        }
      }
    } catch (error) {
      console.error(`paradump: following run ${live.runId}`, error);
      if (!live.ended) await live.end();
    } finally {
      mirrors.delete(live.runId);
      reader.disconnect();
    }
  };
  const build = async (runId: string): Promise<LiveRun | undefined> => {
    const entries = (await redis.xrange(keys.events(runId), '-', '+')) as Entry[];
    const start = entries.findLastIndex(([, f]) => field(f, 't') === 'start');
    if (start < 0 || entries.slice(start).some(([, f]) => field(f, 't') === 'end')) return undefined;
    const live = new LiveRun({ state: JSON.parse(field(entries[start]![1], 'state')!) as RunState, knownTables: [], mirror: true });
    for (const [, f] of entries.slice(start + 1)) for (const d of JSON.parse(field(f, 'd') ?? '[]') as RunDelta[]) live.publish(d);
    live.start();
    void follow(live, entries[entries.length - 1]![0]);
    return live;
  };
  const source = (runId: string) => {
    let mirror = mirrors.get(runId);
    if (!mirror) {
      mirror = build(runId).then(
        (live) => {
          if (!live) mirrors.delete(runId);
          return live;
        },
        (error: unknown) => {
          // Redis away: the page shows the store's state (a second old) rather than an error.
          console.error(`paradump: mirroring run ${runId}`, error);
          mirrors.delete(runId);
          return undefined;
        },
      );
      mirrors.set(runId, mirror);
    }
    return mirror;
  };
  return Object.assign(source, {
    close: () => {
      closed = true;
    },
  });
}

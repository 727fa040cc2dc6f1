import { randomBytes } from 'node:crypto';
import { applyDelta } from './apply-delta.ts';
import { RunRecorder } from './recorder.ts';
import type { RunDelta, RunState, StreamMessage } from './schemas.ts';

/** Changes kept per live run for reconnecting browsers; one further back gets a fresh snapshot. */
export const REPLAY_BUFFER = 5_000;
export const SAMPLE_INTERVAL_MS = 1_000;

export type Listener = (message: StreamMessage, eventId: string) => void;

/**
 * One run in progress: its current state, the changes that led there (for `Last-Event-ID`), the
 * browsers listening, the store writer, and the AbortController that cancels it.
 */
export class LiveRun {
  readonly runId: string;
  /** Event ids are `epoch.seq`: a browser holding an id of another epoch (an earlier process or attempt) gets a snapshot. */
  readonly epoch = randomBytes(4).toString('hex');
  readonly controller = new AbortController();
  readonly recorder: RunRecorder;
  state: RunState;
  private seq = 0;
  private readonly buffer: { seq: number; delta: RunDelta }[] = [];
  private readonly listeners = new Set<Listener>();
  private sampler: NodeJS.Timeout | null = null;
  ended = false;
  /** Settles once the run has ended and its final state is written (whatever the status). */
  readonly finished: Promise<void>;
  private settle: () => void = () => undefined;

  constructor({ state, knownTables }: { state: RunState; knownTables: Iterable<string> }) {
    this.runId = state.id;
    this.state = state;
    this.recorder = new RunRecorder({ runId: state.id, getState: () => this.state, knownTables });
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  get eventId(): string {
    return `${this.epoch}.${this.seq}`;
  }

  start(): void {
    this.recorder.start();
    this.sampler ??= setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.sampler.unref();
  }

  publish(delta: RunDelta): void {
    if (this.ended) return;
    this.state = applyDelta(this.state, delta);
    this.seq += 1;
    this.buffer.push({ seq: this.seq, delta });
    if (this.buffer.length > REPLAY_BUFFER) this.buffer.splice(0, this.buffer.length - REPLAY_BUFFER);
    this.recorder.record(delta);
    const id = this.eventId;
    for (const listener of this.listeners) listener({ type: 'delta', delta }, id);
  }

  /** Cumulative rows and bytes once a second, for rates and the chart. */
  sample(): void {
    let rows = 0;
    let bytes = 0;
    for (const t of this.state.tables) {
      if (t.status === 'skipped') continue;
      for (const c of t.chunks) {
        rows += c.rows;
        bytes += c.bytes;
      }
    }
    this.publish({ type: 'sample', sample: { t: Date.now(), rows, bytes } });
  }

  /**
   * Sends what the listener missed — the changes after `lastEventId` if this run still has them, else
   * the whole state — then every change as it happens. All synchronous, so nothing falls in between.
   */
  subscribe(listener: Listener, lastEventId: string | null): () => void {
    const [epoch, seqText] = (lastEventId ?? '').split('.');
    const after = Number(seqText);
    const first = this.buffer[0]?.seq ?? this.seq + 1;
    if (epoch === this.epoch && Number.isInteger(after) && after <= this.seq && after >= first - 1) {
      for (const item of this.buffer) if (item.seq > after) listener({ type: 'delta', delta: item.delta }, `${this.epoch}.${item.seq}`);
    } else {
      listener({ type: 'snapshot', state: this.state }, this.eventId);
    }
    if (this.ended) {
      listener({ type: 'end' }, this.eventId);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Final: the state is written, listeners are told and let go. */
  async end(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.recorder.stop();
    await this.recorder.flush();
    this.ended = true;
    for (const listener of this.listeners) listener({ type: 'end' }, this.eventId);
    this.listeners.clear();
    this.settle();
  }

  /** The end could not be recorded: let waiters go anyway. */
  abandon(): void {
    this.ended = true;
    this.settle();
  }
}

interface Registry {
  runs: Map<string, LiveRun>;
}

// On globalThis: route handlers, server actions and pages may each get their own copy of this
// module, and dev reloads make more; there must be one registry per process.
const globalForRuns = globalThis as typeof globalThis & { paradumpRunRegistry?: Registry };

function registry(): Registry {
  globalForRuns.paradumpRunRegistry ??= { runs: new Map() };
  return globalForRuns.paradumpRunRegistry;
}

export function getLiveRun(runId: string): LiveRun | undefined {
  return registry().runs.get(runId);
}

export function addLiveRun(run: LiveRun): void {
  registry().runs.set(run.runId, run);
}

export function removeLiveRun(run: LiveRun): void {
  if (registry().runs.get(run.runId) === run) registry().runs.delete(run.runId);
}

export function liveRunIds(): string[] {
  return [...registry().runs.keys()];
}

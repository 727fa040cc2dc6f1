import { randomBytes } from 'node:crypto';
import { LiveState } from './live-state.ts';
import { RunRecorder } from './recorder.ts';
import { summariseTable, tableKey, toRunView } from './run-view.ts';
import type { RunDelta, RunState, RunView, StreamMessage, ViewDelta } from './schemas.ts';

/** Frames kept per live run for reconnecting browsers (a minute's worth); one further back gets a fresh snapshot. */
export const REPLAY_FRAMES = 240;
export const SAMPLE_INTERVAL_MS = 1_000;
/** Browsers get a run's changes at most this often, coalesced: one frame per interval, not one message per event. */
export const FRAME_INTERVAL_MS = 250;
/**
 * The most table summaries and run-level changes in one frame; the rest waits for the next. With a
 * summary under ~400 bytes this bounds a stream to about 4 × (100 × 400 + 100 × 400) B ≈ 320 kB/s
 * however fast a dump of thousands of tables goes.
 */
export const MAX_TABLES_PER_FRAME = 100;
export const MAX_DELTAS_PER_FRAME = 100;

export type Listener = (message: StreamMessage, eventId: string) => void;

/**
 * One run in progress: its current state, the frames of changes that led there (for
 * `Last-Event-ID`), the browsers listening, the store writer, and the AbortController that cancels it.
 */
export class LiveRun {
  readonly runId: string;
  /** Event ids are `epoch.seq`: a browser holding an id of another epoch (an earlier process or attempt) gets a snapshot. */
  readonly epoch = randomBytes(4).toString('hex');
  readonly controller = new AbortController();
  /** Writes the run to the store; null for a mirror of a run another machine runs (that one writes). */
  readonly recorder: RunRecorder | null;
  /** Every change as it is published, for a worker that forwards them (lib/workers). */
  tap: ((delta: RunDelta) => void) | null = null;
  /** The state, changed in place in O(1) per event; also what the engine's events look chunks up in. */
  readonly live: LiveState;
  private seq = 0;
  private readonly frames: { seq: number; deltas: ViewDelta[] }[] = [];
  private readonly listeners = new Set<Listener>();
  /** Tables changed since the last frame (insertion order: the longest waiting go first). */
  private dirtyTables = new Set<string>();
  private pending: ViewDelta[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private framer: NodeJS.Timeout | null = null;
  ended = false;
  /** Stopped to be taken up again elsewhere (a worker's SIGTERM), not cancelled: recorded `interrupted`. */
  handedBack = false;
  /** Settles once the run has ended and its final state is written (whatever the status). */
  readonly finished: Promise<void>;
  private settle: () => void = () => undefined;

  constructor({ state, knownTables, mirror = false }: { state: RunState; knownTables: Iterable<string>; mirror?: boolean }) {
    this.runId = state.id;
    this.live = new LiveState(state);
    this.recorder = mirror ? null : new RunRecorder({ runId: state.id, attempt: state.attempt, getState: () => this.live.state, knownTables, onStale: () => this.controller.abort() });
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  handBack(): void {
    this.handedBack = true;
    this.controller.abort();
  }

  get state(): RunState {
    return this.live.state;
  }

  get eventId(): string {
    return `${this.epoch}.${this.seq}`;
  }

  start(): void {
    // A mirror gets its samples with the changes; only the machine running the engine takes them.
    if (this.recorder) {
      this.recorder.start();
      this.sampler ??= setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
      this.sampler.unref();
    }
    this.framer ??= setInterval(() => this.sendFrame(), FRAME_INTERVAL_MS);
    this.framer.unref();
  }

  publish(delta: RunDelta): void {
    if (this.ended) return;
    this.live.apply(delta);
    this.recorder?.record(delta);
    this.tap?.(delta);
    switch (delta.type) {
      case 'table':
        this.dirtyTables.add(tableKey(delta.table.database, delta.table.table));
        break;
      case 'table-status':
      case 'chunk':
        this.dirtyTables.add(tableKey(delta.database, delta.table));
        break;
      default:
        this.pending.push(delta);
    }
  }

  /** Sends what changed since the last frame, within the frame's bounds. Returns whether anything is left. */
  sendFrame({ unbounded = false }: { unbounded?: boolean } = {}): boolean {
    if (this.dirtyTables.size === 0 && this.pending.length === 0) return false;
    const tables = [];
    for (const k of this.dirtyTables) {
      if (!unbounded && tables.length >= MAX_TABLES_PER_FRAME) break;
      this.dirtyTables.delete(k);
      const [database = '', table = ''] = k.split('\u0000');
      const t = this.live.table(database, table);
      if (t) tables.push(summariseTable(t));
    }
    const deltas: ViewDelta[] = tables.length > 0 ? [{ type: 'tables', tables }] : [];
    deltas.push(...this.pending.splice(0, unbounded ? this.pending.length : MAX_DELTAS_PER_FRAME));
    this.seq += 1;
    this.frames.push({ seq: this.seq, deltas });
    if (this.frames.length > REPLAY_FRAMES) this.frames.splice(0, this.frames.length - REPLAY_FRAMES);
    const id = this.eventId;
    for (const listener of this.listeners) listener({ type: 'frame', deltas }, id);
    return this.dirtyTables.size > 0 || this.pending.length > 0;
  }

  /**
   * The view a page or a new stream starts from, and the event id it continues after. Whatever is
   * waiting for the next frame is sent first, so the view and the frames after it never overlap.
   */
  view(): { state: RunView; eventId: string } {
    this.sendFrame({ unbounded: true });
    return { state: toRunView(this.live.state), eventId: this.eventId };
  }

  /** Cumulative rows and bytes once a second, for rates and the chart. */
  sample(): void {
    let rows = 0;
    let bytes = 0;
    for (const t of this.live.state.tables) {
      if (t.status === 'skipped') continue;
      for (const c of t.chunks) {
        rows += c.rows;
        bytes += c.bytes;
      }
    }
    this.publish({ type: 'sample', sample: { t: Date.now(), rows, bytes } });
  }

  /**
   * Sends what the listener missed — the frames after `lastEventId` if this run still has them, else
   * the whole view — then every frame as it is sent. All synchronous, so nothing falls in between.
   */
  subscribe(listener: Listener, lastEventId: string | null): () => void {
    const [epoch, seqText] = (lastEventId ?? '').split('.');
    const after = Number(seqText);
    const first = this.frames[0]?.seq ?? this.seq + 1;
    if (epoch === this.epoch && Number.isInteger(after) && after <= this.seq && after >= first - 1) {
      for (const frame of this.frames) if (frame.seq > after) listener({ type: 'frame', deltas: frame.deltas }, `${this.epoch}.${frame.seq}`);
    } else {
      const { state, eventId } = this.view();
      listener({ type: 'snapshot', state }, eventId);
    }
    if (this.ended) {
      listener({ type: 'end' }, this.eventId);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Final: the state is written, the last changes sent, listeners told and let go. */
  async end(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.framer) clearInterval(this.framer);
    this.sampler = null;
    this.framer = null;
    this.recorder?.stop();
    await this.recorder?.flush();
    this.sendFrame({ unbounded: true });
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

/** Finds a run that another process runs (a worker): a mirror of it fed from the queue, or undefined. */
export type RemoteRunSource = (runId: string) => Promise<LiveRun | undefined>;

const globalForRemote = globalThis as typeof globalThis & { paradumpRemoteRuns?: RemoteRunSource };

/** Installed by lib/workers when runs go to workers; without it every live run is in this process. */
export function setRemoteRunSource(source: RemoteRunSource | undefined): void {
  globalForRemote.paradumpRemoteRuns = source;
}

/** The live run, in this process or mirrored from the worker running it. */
export async function findLiveRun(runId: string): Promise<LiveRun | undefined> {
  const local = getLiveRun(runId);
  if (local) return local;
  return globalForRemote.paradumpRemoteRuns?.(runId);
}

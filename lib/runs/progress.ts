import { countChunks } from './run-view.ts';
import type { RunState, Sample, TableSummary, TableView } from './schemas.ts';

/** What progress is computed from: a run's state or its view (tables summarised). */
export type ProgressInput = Pick<RunState, 'status' | 'estimate' | 'samples'> & { tables: readonly (TableView | TableSummary)[] };

export interface RunProgress {
  rows: number;
  bytes: number;
  chunks: number;
  chunksDone: number;
  chunksRunning: number;
  tables: number;
  tablesDone: number;
  tablesSkipped: number;
  /** 0–100, or null while nothing is known about the size yet. */
  percent: number | null;
  /** Over the last few seconds; null until there are two samples far enough apart. */
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
  /** Milliseconds left, or null when an estimate would be a guess (see `etaReason`). */
  etaMs: number | null;
  /** Why there is no ETA, in words for the page. */
  etaReason: string | null;
}

/** Seconds of samples the rates are taken over. */
export const RATE_WINDOW_MS = 5_000;
const ETA_MIN_ELAPSED_MS = 5_000;
const ETA_MIN_PERCENT = 3;

/**
 * Totals, rates and ETA derived from a run's state. The ETA is shown only when it means something:
 * a few seconds of steady progress, enough of the work done, and a size we can trust.
 */
export function computeProgress(state: ProgressInput, now: number = Date.now()): RunProgress {
  let rows = 0;
  let bytes = 0;
  let chunks = 0;
  let chunksDone = 0;
  let chunksRunning = 0;
  let tablesDone = 0;
  let tablesSkipped = 0;
  let rowsEstimate = 0;
  for (const t of state.tables) {
    if (t.status === 'skipped') {
      tablesSkipped += 1;
      continue;
    }
    const counts = 'counts' in t ? t.counts : countChunks(t.chunks);
    const tableRows = counts.rows;
    const done = counts.done;
    chunks += counts.total;
    bytes += counts.bytes;
    chunksRunning += counts.running;
    chunksDone += done;
    rows += tableRows;
    if (counts.total > 0 && done === counts.total) tablesDone += 1;
    // A table that is finished counts with its true size; the others with the larger of estimate and what is already read.
    rowsEstimate += done === counts.total ? tableRows : Math.max(t.rowsEstimate, tableRows);
  }
  const planning = state.estimate !== null && state.tables.length < state.estimate.tables;
  if (planning && state.estimate) rowsEstimate = Math.max(rowsEstimate, state.estimate.rows);

  const finished = state.status === 'succeeded';
  let percent: number | null = null;
  if (finished) percent = 100;
  else if (chunks > 0 && chunksDone === chunks && !planning) percent = 99;
  else if (rowsEstimate > 0) percent = Math.min(99, (rows / rowsEstimate) * 100);
  else if (chunks > 0) percent = Math.min(99, (chunksDone / chunks) * 100);

  const { rowsPerSecond, bytesPerSecond } = rates(state.samples, state.status === 'running' ? now : null);

  let etaMs: number | null = null;
  let etaReason: string | null = null;
  const first = state.samples.find((s) => s.rows > 0);
  if (state.status !== 'running') etaReason = null;
  else if (planning || chunks === 0) etaReason = 'Planning chunks';
  else if (!first || now - first.t < ETA_MIN_ELAPSED_MS || percent === null || percent < ETA_MIN_PERCENT) etaReason = 'Measuring';
  else if (!rowsPerSecond || rowsPerSecond <= 0) etaReason = 'Stalled';
  else if (rows >= rowsEstimate) etaReason = 'Finishing';
  else etaMs = ((rowsEstimate - rows) / rowsPerSecond) * 1000;

  return {
    rows,
    bytes,
    chunks,
    chunksDone,
    chunksRunning,
    tables: state.tables.length - tablesSkipped,
    tablesDone,
    tablesSkipped,
    percent,
    rowsPerSecond,
    bytesPerSecond,
    etaMs,
    etaReason,
  };
}

/** Rows and bytes per second over the last RATE_WINDOW_MS of samples (a live run) or the whole run. */
export function rates(samples: readonly Sample[], now: number | null): { rowsPerSecond: number | null; bytesPerSecond: number | null } {
  const last = samples.at(-1);
  if (!last) return { rowsPerSecond: null, bytesPerSecond: null };
  const from = now === null ? samples[0] : samples.find((s) => s.t >= last.t - RATE_WINDOW_MS);
  if (!from || last.t - from.t < 1_000) return { rowsPerSecond: null, bytesPerSecond: null };
  const seconds = (last.t - from.t) / 1000;
  return { rowsPerSecond: Math.max(0, (last.rows - from.rows) / seconds), bytesPerSecond: Math.max(0, (last.bytes - from.bytes) / seconds) };
}

/** Per-second throughput between consecutive samples, for the chart; null values mark a gap (stopped, then resumed). */
export function throughputSeries(samples: readonly Sample[]): { t: number; rowsPerSecond: number | null; mibPerSecond: number | null }[] {
  const out: { t: number; rowsPerSecond: number | null; mibPerSecond: number | null }[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.t - a.t) / 1000;
    if (seconds <= 0) continue;
    // A gap is not a moment of zero throughput: the chart breaks the line there.
    if (seconds > 10) {
      if (out.length > 0) out.push({ t: a.t + 1, rowsPerSecond: null, mibPerSecond: null });
      continue;
    }
    out.push({ t: b.t, rowsPerSecond: Math.max(0, (b.rows - a.rows) / seconds), mibPerSecond: Math.max(0, (b.bytes - a.bytes) / seconds / 1024 / 1024) });
  }
  return out;
}

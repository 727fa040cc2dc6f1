import type { RestoreEvent } from './events.ts';

export interface RestoreProgress {
  chunksDone: number;
  chunksTotal: number;
  rowsDone: number;
  rowsTotal: number;
  /** Bytes of dump files loaded, counting chunks in flight. */
  bytesDone: number;
  bytesTotal: number;
  /** 0–1, by bytes (rows can differ wildly in size). */
  fraction: number;
  /** Bytes per second since loading began. */
  bytesPerSecond: number;
  /** Seconds left at the rate so far; null until there is enough to go on. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

/**
 * Folds restore events into progress numbers and an ETA. Pure: the CLI's progress bar and the
 * dashboard feed it the same events. Totals come from `run-started` (the manifest), so the ETA
 * needs no estimate, only the rate so far.
 */
export function createRestoreProgress(now: () => number = () => performance.now()) {
  let chunksTotal = 0;
  let rowsTotal = 0;
  let bytesTotal = 0;
  let chunksDone = 0;
  let rowsDone = 0;
  let bytesDone = 0;
  let started: number | null = null;
  let loadingStarted: number | null = null;
  const inFlight = new Map<string, { rows: number; bytes: number }>();
  const key = (e: { database: string; table: string; index: number }) => `${e.database}\u0000${e.table}\u0000${e.index}`;

  return {
    onEvent(event: RestoreEvent): void {
      switch (event.type) {
        case 'run-started':
          started = now();
          chunksTotal = event.chunks;
          rowsTotal = event.rows;
          bytesTotal = event.bytes;
          break;
        case 'chunk-started':
          loadingStarted ??= now();
          inFlight.set(key(event), { rows: 0, bytes: 0 });
          break;
        case 'chunk-progress':
          inFlight.set(key(event), { rows: event.rows, bytes: event.bytes });
          break;
        case 'chunk-finished':
          inFlight.delete(key(event));
          chunksDone++;
          rowsDone += event.rows;
          bytesDone += event.bytes;
          break;
        default:
          break;
      }
    },
    snapshot(): RestoreProgress {
      const t = now();
      let bytes = bytesDone;
      let rows = rowsDone;
      for (const f of inFlight.values()) {
        bytes += f.bytes;
        rows += f.rows;
      }
      const fraction = bytesTotal > 0 ? Math.min(1, bytes / bytesTotal) : chunksTotal > 0 ? chunksDone / chunksTotal : 0;
      const loading = loadingStarted === null ? 0 : (t - loadingStarted) / 1000;
      const rate = loading > 0 ? bytes / loading : 0;
      const eta = loading >= 2 && fraction >= 0.02 && rate > 0 ? Math.max(0, (bytesTotal - bytes) / rate) : null;
      return {
        chunksDone,
        chunksTotal,
        rowsDone: rows,
        rowsTotal,
        bytesDone: bytes,
        bytesTotal,
        fraction,
        bytesPerSecond: rate,
        etaSeconds: eta,
        elapsedSeconds: started === null ? 0 : (t - started) / 1000,
      };
    },
  };
}

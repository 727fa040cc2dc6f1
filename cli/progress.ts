import { throttleWords } from '../lib/throttle/threads-running-gate.ts';
import type { DumpEvent } from '../lib/engine/events.ts';

interface Reporter {
  onEvent: (event: DumpEvent) => void;
  finish: () => void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * Progress for the terminal: a redrawn bar on a TTY, plain lines otherwise (cron logs), JSON lines
 * for scripts. Progress is measured in rows against discovery's estimate; the ETA is shown only once
 * enough has been read for it to mean something.
 */
export function createProgressReporter({ mode, stdout, stderr }: { mode: 'bar' | 'lines' | 'json' | 'quiet'; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Reporter {
  let rowsEstimate = 0;
  let rowsDone = 0;
  let bytesDone = 0;
  const inFlight = new Map<string, number>();
  let chunksTotal = 0;
  let chunksDone = 0;
  let started = 0;
  let lastDraw = 0;
  let finished = false;

  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const rows = rowsDone + [...inFlight.values()].reduce((a, b) => a + b, 0);
    const fraction = rowsEstimate > 0 ? Math.min(1, rows / rowsEstimate) : chunksTotal > 0 ? chunksDone / chunksTotal : 0;
    const width = 28;
    const filled = Math.round(fraction * width);
    const elapsed = (now - started) / 1000;
    const rate = elapsed > 0 ? rows / elapsed : 0;
    const eta = fraction > 0.05 && elapsed > 2 && rate > 0 ? ` ETA ${Math.max(0, Math.round((rowsEstimate - rows) / rate))}s` : '';
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  chunks ${chunksDone}/${chunksTotal}  ${rows} rows  ${formatBytes(bytesDone)}  ${Math.round(rate)} rows/s${eta}`;
    stderr.write(`\r${line}\x1b[K`);
  };

  const onEvent = (event: DumpEvent) => {
    if (mode === 'json') {
      stdout.write(JSON.stringify(event) + '\n');
      return;
    }
    if (mode === 'quiet') return;
    switch (event.type) {
      case 'run-started':
        started = performance.now();
        if (mode === 'lines') stderr.write(`dumping from ${event.source} (${event.flavor} ${event.version})\n`);
        break;
      case 'accounts-dumped':
        if (mode === 'lines') stderr.write(`accounts: ${event.users} users and ${event.roles} roles (${event.excluded} system or excluded left out)\n`);
        break;
      case 'discovered':
        rowsEstimate = event.rowsEstimate;
        break;
      case 'table-planned':
        chunksTotal += event.chunks.length;
        break;
      case 'chunk-progress':
        inFlight.set(`${event.database}.${event.table}#${event.index}`, event.rows);
        break;
      case 'chunk-finished':
        inFlight.delete(`${event.database}.${event.table}#${event.index}`);
        rowsDone += event.rows;
        bytesDone += event.bytes;
        chunksDone++;
        if (mode === 'lines') stderr.write(`chunk ${event.database}.${event.table}#${event.index}: ${event.rows} rows, ${formatBytes(event.bytes)} in ${event.durationMs} ms\n`);
        break;
      case 'lock-released':
        if (mode === 'lines' || mode === 'bar') {
          if (mode === 'bar') stderr.write('\r\x1b[K');
          stderr.write(`lock ${event.lock.scope} (${event.lock.statement}): waited ${event.lock.waitMs ?? '-'} ms, held ${event.lock.holdMs ?? '-'} ms\n`);
        }
        break;
      case 'throttle':
        if (mode === 'bar') stderr.write('\r\x1b[K');
        stderr.write(`${throttleWords(event)}\n`);
        break;
      case 'warning':
        if (mode === 'bar') stderr.write('\r\x1b[K');
        stderr.write(`warning: ${event.message}\n`);
        break;
      default:
        break;
    }
    if (mode === 'bar') draw();
  };

  return {
    onEvent,
    finish() {
      if (finished) return;
      finished = true;
      if (mode === 'bar' && started > 0) {
        draw(true);
        stderr.write('\n');
      }
    },
  };
}

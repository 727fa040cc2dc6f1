import type { PitrEvent, RestoreEvent, VerifyEvent } from '../lib/restore/events.ts';
import { createRestoreProgress } from '../lib/restore/progress.ts';
import { formatBytes } from './progress.ts';
import { throttleWords } from '../lib/throttle/threads-running-gate.ts';

export type ReporterMode = 'bar' | 'lines' | 'json' | 'quiet';

interface Reporter<E> {
  onEvent: (event: E) => void;
  finish: () => void;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Restore progress on the terminal: a redrawn bar on a TTY (bytes of dump files loaded against the
 * manifest's total, with an ETA), plain lines otherwise, JSON lines for scripts.
 */
export function createRestoreReporter({ mode, stdout, stderr }: { mode: ReporterMode; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Reporter<RestoreEvent> {
  const progress = createRestoreProgress();
  let lastDraw = 0;
  let drawn = false;
  let finished = false;
  const clear = () => {
    if (mode === 'bar' && drawn) stderr.write('\r\x1b[K');
  };
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const p = progress.snapshot();
    const width = 28;
    const filled = Math.round(p.fraction * width);
    const eta = p.etaSeconds === null ? '' : `  ETA ${formatSeconds(p.etaSeconds)}`;
    stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}%  chunks ${p.chunksDone}/${p.chunksTotal}  ${p.rowsDone} rows  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${formatBytes(p.bytesPerSecond)}/s${eta}\x1b[K`,
    );
    drawn = true;
  };
  const line = (text: string) => {
    clear();
    stderr.write(text + '\n');
  };
  return {
    onEvent(event) {
      progress.onEvent(event);
      if (mode === 'json') {
        stdout.write(JSON.stringify(event) + '\n');
        return;
      }
      if (mode === 'quiet') return;
      switch (event.type) {
        case 'run-started':
          line(`restoring into ${event.target} (${event.flavor} ${event.version}): ${event.tables} tables, ${event.chunks} chunks, ${event.rows} rows, ${formatBytes(event.bytes)}, ${event.loadMethod === 'load-data' ? 'LOAD DATA' : 'INSERTs'}${event.resumed ? ' (resumed)' : ''}`);
          break;
        case 'files-checked':
          if (mode === 'lines') line(`checked ${event.files} files (${formatBytes(event.bytes)})${event.hashed ? ', sha256 ok' : ', sizes only'} in ${event.durationMs} ms`);
          break;
        case 'chunk-finished':
          if (mode === 'lines') line(`chunk ${event.database}.${event.table}#${event.index}: ${event.rows} rows, ${formatBytes(event.bytes)} in ${event.durationMs} ms`);
          break;
        case 'range-cleared':
          if (event.rowsDeleted > 0) line(`cleared ${event.rowsDeleted} rows of ${event.database}.${event.table} chunk ${event.index} before reloading it`);
          break;
        case 'indexes-added':
          if (mode === 'lines') line(`added ${event.indexes} deferred indexes to ${event.database}.${event.table} in ${event.durationMs} ms`);
          break;
        case 'throttle':
          line(throttleWords(event));
          break;
        case 'warning':
          line(`warning: ${event.message}`);
          break;
        default:
          break;
      }
      if (mode === 'bar' && event.type !== 'run-finished' && event.type !== 'run-failed') draw();
    },
    finish() {
      if (finished) return;
      finished = true;
      if (mode === 'bar' && drawn) {
        draw(true);
        stderr.write('\n');
      }
    },
  };
}

/** Verify progress: a count of chunks checked, then one line per table. */
export function createVerifyReporter({ mode, stdout, stderr }: { mode: ReporterMode; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Reporter<VerifyEvent> {
  let total = 0;
  let done = 0;
  let bad = 0;
  let lastDraw = 0;
  let drawn = false;
  return {
    onEvent(event) {
      if (mode === 'json') {
        stdout.write(JSON.stringify(event) + '\n');
        return;
      }
      if (mode === 'quiet') return;
      const clear = () => {
        if (mode === 'bar' && drawn) stderr.write('\r\x1b[K');
        drawn = false;
      };
      switch (event.type) {
        case 'run-started':
          total = event.chunks;
          stderr.write(event.mode === 'files' ? `verifying ${event.chunks} data files (${formatBytes(event.bytes)}) against the manifest\n` : `verifying ${event.chunks} chunks of ${event.tables} tables in ${event.target}\n`);
          break;
        case 'chunk-verified':
          done++;
          if (!event.ok) bad++;
          if (mode === 'bar' && performance.now() - lastDraw > 200) {
            lastDraw = performance.now();
            stderr.write(`\rchunks ${done}/${total}, ${bad} mismatched\x1b[K`);
            drawn = true;
          }
          break;
        case 'table-verified': {
          clear();
          const r = event.result;
          const name = `${r.database}.${r.table}${r.targetDatabase !== r.database ? ` (as ${r.targetDatabase}.${r.table})` : ''}`;
          if (r.mismatched.length === 0) {
            if (mode === 'lines' || mode === 'bar') stderr.write(`ok        ${name}: ${r.ok}/${r.chunks} chunks\n`);
          } else {
            stderr.write(`MISMATCH  ${name}: ${r.ok} ok, ${r.mismatched.length} mismatched\n`);
            for (const m of r.mismatched) {
              const counts = m.actualRows === null ? '' : `, ${m.expectedRows} rows expected, ${m.actualRows} found`;
              stderr.write(`            chunk ${m.index} ${m.range}: ${m.reason}${counts}${m.detail ? ` (${m.detail})` : ''}\n`);
            }
          }
          break;
        }
        default:
          break;
      }
    },
    finish() {
      if (mode === 'bar' && drawn) stderr.write('\r\x1b[K');
    },
  };
}

/** PITR progress: the plan (dry run: the commands), then per database where the replay is. */
export function createPitrReporter({ mode, stdout, stderr }: { mode: ReporterMode; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Reporter<PitrEvent> {
  return {
    onEvent(event) {
      if (mode === 'json') {
        stdout.write(JSON.stringify(event) + '\n');
        return;
      }
      if (mode === 'quiet') return;
      switch (event.type) {
        case 'plan':
          stderr.write(`replaying the binary log of ${event.plan.source ?? 'local files'} into ${event.plan.target} up to ${event.plan.stop.description}\n`);
          for (const r of event.plan.runs) {
            stderr.write(`  ${r.database}${r.table ? `.${r.table}` : ''} → ${r.targetDatabase}: from ${r.start.file}:${r.start.position}, ${r.files.length} binlog file${r.files.length === 1 ? '' : 's'}\n`);
          }
          for (const n of event.plan.notes) stderr.write(`  note: ${n}\n`);
          break;
        case 'replay-progress':
          if (mode === 'lines' || mode === 'bar') stderr.write(`  ${event.database}: at ${event.file}:${event.position}, ${event.transactions} transactions, ${formatBytes(event.bytes)}\n`);
          break;
        case 'replay-finished':
          stderr.write(`  ${event.database} → ${event.targetDatabase}: ${event.transactions} transactions replayed in ${event.durationMs} ms\n`);
          break;
        case 'warning':
          stderr.write(`warning: ${event.message}\n`);
          break;
        default:
          break;
      }
    },
    finish() {},
  };
}

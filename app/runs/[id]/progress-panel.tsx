import type { computeProgress } from '@/lib/runs/progress.ts';
import type { RunView } from '@/lib/runs/schemas.ts';
import { cardClass } from '../../_components/ui.tsx';
import { formatBytes, formatCount, formatDuration, formatMiBPerSecond, formatRate } from '../../_lib/format.ts';

type Progress = ReturnType<typeof computeProgress>;

/** The progress bar (an ARIA progressbar with words for screen readers) and the run's rates and time left. */
export function ProgressPanel({ state, progress, title }: { state: RunView; progress: Progress; title: string }) {
  const running = state.status === 'running';
  const percent = progress.percent === null ? null : Math.floor(progress.percent);
  const valueText = `${percent === null ? 'size not known yet' : `${percent}%`} · ${formatCount(progress.rows)} rows`;
  return (
    <section aria-labelledby="progress-heading" className={cardClass}>
      <h2 id="progress-heading" className="sr-only">
        Progress
      </h2>
      <div className="flex items-center justify-between text-sm">
        <span className="font-medium">{percent === null ? 'Planning…' : `${percent}%`}</span>
        <span className="text-zinc-500">
          {progress.chunksDone} of {progress.chunks} chunks · {progress.tablesDone} of {progress.tables} tables{progress.tablesSkipped ? ` · ${progress.tablesSkipped} skipped` : ''}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={`${title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={valueText}
        className="mt-2 h-3 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div className={`h-full rounded-full transition-[width] duration-500 ${state.status === 'failed' ? 'bg-red-500' : state.status === 'succeeded' ? 'bg-emerald-500' : 'bg-sky-500'}`} style={{ width: `${percent ?? 0}%` }} />
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-5">
        <Stat label={state.kind === 'restore' ? 'Rows loaded' : 'Rows written'} value={formatCount(progress.rows)} />
        <Stat label={state.kind === 'restore' ? 'Dump data loaded' : 'Data written'} value={formatBytes(progress.bytes)} />
        <Stat label="Rows/s" value={progress.rowsPerSecond === null ? '—' : formatRate(progress.rowsPerSecond)} />
        <Stat label="MiB/s" value={progress.bytesPerSecond === null ? '—' : formatMiBPerSecond(progress.bytesPerSecond)} />
        <Stat label="Time left" value={progress.etaMs !== null ? `about ${formatDuration(progress.etaMs)}` : running ? (progress.etaReason ?? '—') : '—'} />
      </dl>
      {state.estimate ? (
        <p className="mt-3 text-xs text-zinc-500">
          The server estimated {formatCount(state.estimate.rows)} rows in {state.estimate.tables} tables ({formatBytes(state.estimate.bytes)}); the time left is shown once a few seconds of steady progress make it more than a guess.
        </p>
      ) : null}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums" aria-label={`${label}: ${value}`}>
        {value}
      </dd>
    </div>
  );
}

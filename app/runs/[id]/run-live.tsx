'use client';

import Link from 'next/link';
import { useActionState, useEffect, useState } from 'react';
import { canResume, whyNotResumable } from '@/lib/runs/can-resume.ts';
import { describeError } from '@/lib/runs/error-words.ts';
import { computeProgress } from '@/lib/runs/progress.ts';
import type { RunView } from '@/lib/runs/schemas.ts';
import { cancelRunAction, resumeRunAction } from '../../_actions/runs.ts';
import type { FormState } from '../../_actions/state.ts';
import { buttonClass, cardClass, FormAlert, secondaryButtonClass, StatusBadge } from '../../_components/ui.tsx';
import { formatBytes, formatCount, formatDuration, formatMiBPerSecond, formatRate, formatTimestamp } from '../../_lib/format.ts';
import { ChunkMap } from './chunk-map.tsx';
import { LockTimeline } from './lock-timeline.tsx';
import { RunLog } from './run-log.tsx';
import { ThroughputChart } from './throughput-chart.tsx';
import { RollForward } from './roll-forward.tsx';
import { Verification } from './verification.tsx';
import { useRunStream, type Connection } from './use-run-stream.ts';

export function RunLive({ initialState, initialEventId }: { initialState: RunView; initialEventId: string | null }) {
  const [generation, setGeneration] = useState(0);
  const { state, connection } = useRunStream({ initialState, initialEventId, generation });
  const [cancelState, cancelAction, cancelling] = useActionState<FormState, FormData>(cancelRunAction, {});
  const [resumeState, resumeAction, resuming] = useActionState<FormState, FormData>(resumeRunAction, {});
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (resumeState.ok) setGeneration((g) => g + 1);
  }, [resumeState.ok]);
  useEffect(() => {
    if (state.status !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state.status]);

  const progress = computeProgress(state, now);
  const running = state.status === 'running';
  const cancelRequested = running && Boolean(cancelState.ok);
  const title = state.kind === 'dump' ? 'Backup' : state.kind === 'restore' ? 'Restore' : 'Point-in-time recovery';
  const elapsed = (state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(state.startedAt);
  const words = state.error ? describeError(state.error.code) : null;
  const percent = progress.percent === null ? null : Math.floor(progress.percent);
  const valueText = `${percent === null ? 'size not known yet' : `${percent}%`} · ${formatCount(progress.rows)} rows`;

  return (
    <div className="space-y-8">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm text-zinc-500">
            <Link href="/" className="hover:underline">
              Overview
            </Link>{' '}
            / run {state.id}
          </p>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight">
            {title} of {state.databases.length ? state.databases.join(', ') : 'the server'}
            {state.server ? ` on ${state.server.name}` : ''}
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
            <span aria-live="polite" className="inline-flex items-center gap-2">
              <span className="sr-only">Status:</span>
              <StatusBadge status={cancelRequested ? 'cancelling' : state.status} />
            </span>
            {state.attempt > 1 ? <span>attempt {state.attempt}</span> : null}
            <span>started {formatTimestamp(new Date(state.startedAt))}</span>
            <span>· {formatDuration(elapsed)}</span>
            {state.sourceVersion ? <span>· {state.sourceVersion}</span> : null}
            {running ? <ConnectionBadge connection={connection} /> : null}
          </p>
          <p className="mt-1 font-mono text-xs text-zinc-500">
            {state.kind === 'restore' ? 'from ' : ''}
            {state.outDir}
          </p>
          {state.sourceRunId ? (
            <p className="mt-1 text-sm">
              <Link href={`/runs/${state.sourceRunId}`} className="text-sky-700 hover:underline dark:text-sky-400">
                The backup this restores
              </Link>
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          {running ? (
            <form action={cancelAction}>
              <input type="hidden" name="runId" value={state.id} />
              <button type="submit" className={secondaryButtonClass} disabled={cancelling || cancelRequested}>
                {cancelRequested ? 'Cancelling…' : 'Cancel'}
              </button>
            </form>
          ) : null}
          {canResume(state) ? (
            <form action={resumeAction}>
              <input type="hidden" name="runId" value={state.id} />
              <button type="submit" className={buttonClass} disabled={resuming}>
                {resuming ? 'Resuming…' : 'Resume'}
              </button>
            </form>
          ) : null}
          {state.hasManifest ? (
            <>
              <Link href={`/runs/${state.id}/manifest`} className={secondaryButtonClass}>
                Browse manifest
              </Link>
              <a href={`/api/runs/${state.id}/manifest`} download className={secondaryButtonClass}>
                Download manifest.json
              </a>
              <a href={`/api/runs/${state.id}/restore-kit`} download className={secondaryButtonClass}>
                Download restore kit
              </a>
              <Link href={`/runs/${state.id}/restore`} className={buttonClass}>
                Restore…
              </Link>
            </>
          ) : null}
        </div>
      </header>
      <FormAlert state={cancelState.error ? cancelState : resumeState} />

      {state.error && words && state.status !== 'running' ? (
        <div role="alert" className={`rounded-lg border px-4 py-3 text-sm ${state.status === 'failed' ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200' : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200'}`}>
          <p className="font-medium">{words.title}</p>
          <p>{words.hint}</p>
          <p className="mt-1 font-mono text-xs opacity-80">
            {state.error.code}: {state.error.message}
          </p>
          {whyNotResumable(state) ? <p className="mt-1">{whyNotResumable(state)}</p> : null}
        </div>
      ) : null}

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

      {state.kind === 'restore' ? (
        <section aria-labelledby="verification-heading">
          <h2 id="verification-heading" className="mb-3 text-lg font-medium">
            Verification
          </h2>
          <Verification state={state} />
        </section>
      ) : null}

      {state.kind === 'restore' && state.restoreOptions?.pitr ? (
        <section aria-labelledby="roll-forward-heading">
          <h2 id="roll-forward-heading" className="mb-3 text-lg font-medium">
            Roll forward
          </h2>
          <RollForward state={state} />
        </section>
      ) : null}

      <section aria-labelledby="chart-heading" className={cardClass}>
        <h2 id="chart-heading" className="mb-2 text-lg font-medium">
          Throughput
        </h2>
        <ThroughputChart samples={state.samples} />
      </section>

      <section aria-labelledby="chunks-heading">
        <h2 id="chunks-heading" className="mb-3 text-lg font-medium">
          Chunk map
        </h2>
        <ChunkMap runId={state.id} tables={state.tables} />
      </section>

      {state.kind === 'dump' ? (
        <section aria-labelledby="locks-heading">
          <h2 id="locks-heading" className="mb-3 text-lg font-medium">
            Lock timeline
          </h2>
          <LockTimeline locks={state.locks} snapshots={state.snapshots} now={now} />
        </section>
      ) : null}

      <section aria-labelledby="log-heading">
        <h2 id="log-heading" className="mb-3 text-lg font-medium">
          Warnings and log
        </h2>
        <RunLog entries={state.log} />
      </section>
    </div>
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

function ConnectionBadge({ connection }: { connection: Connection }) {
  if (connection === 'live') return <span className="inline-flex items-center gap-1 text-emerald-700 dark:text-emerald-400">● live</span>;
  if (connection === 'reconnecting') return <span className="text-amber-700 dark:text-amber-400">reconnecting…</span>;
  return null;
}

import type { ReactNode } from 'react';
import type { RunView } from '@/lib/runs/schemas.ts';
import { cardClass } from '../../_components/ui.tsx';
import { ChunkMap } from './chunk-map.tsx';
import { LockTimeline } from './lock-timeline.tsx';
import { RollForward } from './roll-forward.tsx';
import { RunLog } from './run-log.tsx';
import { ThroughputChart } from './throughput-chart.tsx';
import { Verification } from './verification.tsx';

/** The run's sections below its progress, each shown for the kinds of run it applies to. */
export function RunDetails({ state, now }: { state: RunView; now: number }) {
  return (
    <>
      {state.kind === 'restore' ? (
        <RunSection id="verification-heading" title="Verification">
          <Verification state={state} />
        </RunSection>
      ) : null}
      {state.kind === 'restore' && state.restoreOptions?.pitr ? (
        <RunSection id="roll-forward-heading" title="Roll forward">
          <RollForward state={state} />
        </RunSection>
      ) : null}
      <section aria-labelledby="chart-heading" className={cardClass}>
        <h2 id="chart-heading" className="mb-2 text-lg font-medium">
          Throughput
        </h2>
        <ThroughputChart samples={state.samples} />
      </section>
      <RunSection id="chunks-heading" title="Chunk map">
        <ChunkMap runId={state.id} tables={state.tables} />
      </RunSection>
      {state.kind === 'dump' ? (
        <RunSection id="locks-heading" title="Lock timeline">
          <LockTimeline locks={state.locks} snapshots={state.snapshots} now={now} />
        </RunSection>
      ) : null}
      <RunSection id="log-heading" title="Warnings and log">
        <RunLog entries={state.log} />
      </RunSection>
    </>
  );
}

function RunSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="mb-3 text-lg font-medium">
        {title}
      </h2>
      {children}
    </section>
  );
}

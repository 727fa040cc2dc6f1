import Link from 'next/link';
import type { RunView } from '@/lib/runs/schemas.ts';
import { EncryptedBadge } from '../../_components/encryption.tsx';
import { StatusBadge } from '../../_components/ui.tsx';
import { formatDuration, formatTimestamp } from '../../_lib/format.ts';
import type { Connection } from './use-run-stream.ts';

/** What the run is: its title, status (announced as it changes), timing, source and folder. */
export function RunHeading({ state, title, elapsed, connection, cancelRequested }: { state: RunView; title: string; elapsed: number; connection: Connection; cancelRequested: boolean }) {
  return (
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
        {state.options?.encryption ? <EncryptedBadge keyId={state.options.encryption.keyId} /> : null}
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
        {state.status === 'running' ? <ConnectionBadge connection={connection} /> : null}
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
  );
}

function ConnectionBadge({ connection }: { connection: Connection }) {
  if (connection === 'live') return <span className="inline-flex items-center gap-1 text-emerald-700 dark:text-emerald-400">● live</span>;
  if (connection === 'reconnecting') return <span className="text-amber-700 dark:text-amber-400">reconnecting…</span>;
  return null;
}

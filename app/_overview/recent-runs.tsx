import Link from 'next/link';
import type { RunFilter, RunSummary } from '@/lib/store/list-recent-runs.ts';
import { RunsTable } from '../_components/runs-table.tsx';
import { SandboxButton } from '../_components/sandbox-button.tsx';
import { buttonClass, inputClass, secondaryButtonClass } from '../_components/ui.tsx';

const STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'queued'] as const;

/** The latest runs, filtered by status and server; with no runs at all, the first steps. */
export function RecentRuns({ runs, filter, servers, sandboxAvailable }: { runs: RunSummary[]; filter: RunFilter; servers: { id: string; name: string }[]; sandboxAvailable: boolean }) {
  const filtered = Boolean(filter.status || filter.serverId);
  return (
    <section aria-labelledby="recent-runs">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
        <h2 id="recent-runs" className="text-lg font-medium">
          Recent runs
        </h2>
        <RunFilterForm filter={filter} filtered={filtered} servers={servers} />
      </div>
      {runs.length > 0 ? (
        <RunsTable runs={runs} caption="Recent runs" />
      ) : filtered ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">No runs match these filters</p>
      ) : (
        <div className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center dark:border-zinc-700">
          <p className="text-zinc-500 dark:text-zinc-400">No runs yet</p>
          <div className="mt-4 flex flex-wrap items-start justify-center gap-3">
            <Link href={servers.length ? '/backups/new' : '/servers'} className={buttonClass}>
              {servers.length ? 'Start your first backup' : 'Add a server'}
            </Link>
            <SandboxButton available={sandboxAvailable} />
          </div>
        </div>
      )}
    </section>
  );
}

/** A GET form: the filter lives in the address, so a filtered overview can be bookmarked. */
function RunFilterForm({ filter, filtered, servers }: { filter: RunFilter; filtered: boolean; servers: { id: string; name: string }[] }) {
  return (
    <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Filter runs">
      <label className="text-sm">
        <span className="block text-xs text-zinc-500">Status</span>
        <select name="status" defaultValue={filter.status ?? ''} className={inputClass}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="block text-xs text-zinc-500">Server</span>
        <select name="server" defaultValue={filter.serverId ?? ''} className={inputClass}>
          <option value="">Any server</option>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className={secondaryButtonClass}>
        Filter
      </button>
      {filtered ? (
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          Clear
        </Link>
      ) : null}
    </form>
  );
}

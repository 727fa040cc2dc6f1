import { connection } from 'next/server';
import { listRecentRuns } from '@/lib/store/list-recent-runs.ts';
import { RunsTable } from './_components/runs-table.tsx';

export default async function OverviewPage() {
  // Read the store at request time: without this the page would be prerendered once at build.
  await connection();
  const runs = await listRecentRuns({ limit: 20 });

  return (
    <main className="mx-auto max-w-5xl px-6 py-12">
      <header className="mb-10">
        <h1 className="text-3xl font-semibold tracking-tight">paradump</h1>
        <p className="mt-2 text-zinc-600 dark:text-zinc-400">
          Parallel, chunked, consistent dumps and restores for MySQL and MariaDB.
        </p>
      </header>

      <section aria-labelledby="recent-runs">
        <h2 id="recent-runs" className="mb-4 text-lg font-medium">
          Recent runs
        </h2>
        {runs.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
            No runs yet
          </p>
        ) : (
          <RunsTable runs={runs} caption="Recent runs" />
        )}
      </section>
    </main>
  );
}

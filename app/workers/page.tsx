import type { Metadata } from 'next';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { listWorkers } from '@/lib/workers/install.ts';
import { PageTitle } from '../_components/ui.tsx';

export const metadata: Metadata = { title: 'Workers' };

const STATE_WORDS = { running: 'running', stopping: 'stopping (handing back)', gone: 'gone (no heartbeat)' } as const;

export default async function WorkersPage() {
  await connection();
  await requireSession();
  const found = await listWorkers();
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <PageTitle subtitle="The processes that run backups, restores and drills.">Workers</PageTitle>
      {found.mode === 'in-process' ? (
        <p className="text-zinc-600 dark:text-zinc-400">Runs start in the dashboard’s own process (PARADUMP_REDIS_URL is not set). See docs/scale.md to run them on worker machines.</p>
      ) : found.workers.length === 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">No worker has sent a heartbeat: runs wait in the queue until a `paradump worker` starts.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th className="py-2 pr-4">Host</th>
              <th className="py-2 pr-4">PID</th>
              <th className="py-2 pr-4">Version</th>
              <th className="py-2 pr-4">State</th>
              <th className="py-2 pr-4">Running jobs</th>
              <th className="py-2 pr-4">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {found.workers.map((w) => (
              <tr key={w.id} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 pr-4 font-medium">{w.host}</td>
                <td className="py-2 pr-4 tabular-nums">{w.pid}</td>
                <td className="py-2 pr-4">{w.version}</td>
                <td className="py-2 pr-4">{STATE_WORDS[w.state]}</td>
                <td className="py-2 pr-4">
                  {w.jobs.length === 0
                    ? '—'
                    : w.jobs.map((j) => (
                        <a key={j.id} href={j.kind === 'drill' ? undefined : `/runs/${j.id}`} className="mr-2 underline">
                          {j.kind} {j.id.slice(-6)}
                        </a>
                      ))}
                </td>
                <td className="py-2 pr-4 tabular-nums">
                  <time dateTime={w.lastHeartbeat}>{w.lastHeartbeat.replace('T', ' ').slice(0, 19)} UTC</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

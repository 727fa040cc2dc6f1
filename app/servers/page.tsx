import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { listServerDrillSummaries } from '@/lib/drills/drill-summaries.ts';
import { listServers } from '@/lib/runs/servers.ts';
import { sandboxAvailable } from '@/lib/runs/start-sandbox.ts';
import { SandboxButton } from '../_components/sandbox-button.tsx';
import { PageTitle } from '../_components/ui.tsx';
import { AddServerForm } from './add-server-form.tsx';
import { ServerDrills } from './server-drills.tsx';

export const metadata: Metadata = { title: 'Servers' };

export default async function ServersPage() {
  await connection();
  await requireSession();
  const [servers, drills] = await Promise.all([listServers(), listServerDrillSummaries()]);
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <PageTitle subtitle="The MySQL and MariaDB servers the dashboard backs up and restores into.">Servers</PageTitle>
      <div className="grid gap-10 lg:grid-cols-2">
        <section aria-labelledby="saved-servers">
          <h2 id="saved-servers" className="mb-3 text-lg font-medium">
            Saved servers
          </h2>
          {servers.length === 0 ? (
            <p className="text-zinc-500">No servers yet.</p>
          ) : (
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {servers.map((s) => (
                <li key={s.id} className="flex items-center justify-between gap-4 px-4 py-3">
                  <div>
                    <p className="font-medium">
                      {s.name} {s.sandbox ? <span className="ml-1 rounded bg-zinc-100 px-1.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">sandbox</span> : null}
                      {s.tls.mode !== 'off' ? (
                        <span
                          className="ml-1 rounded bg-emerald-100 px-1.5 text-xs text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
                          title={`TLS ${s.tls.mode}${s.tls.ca ? ', own CA' : ''}${s.tls.clientCert ? ', client certificate' : ''}`}
                        >
                          TLS {s.tls.mode}
                          {s.tls.clientCert ? ' + client cert' : ''}
                        </span>
                      ) : null}
                    </p>
                    <p className="font-mono text-xs text-zinc-500">
                      {s.user}@{s.host}:{s.port}
                    </p>
                    <ServerDrills summary={drills.get(s.id)} />
                  </div>
                  <div className="flex gap-3 text-sm">
                    <Link href={`/backups/new?server=${s.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                      Back up
                    </Link>
                    <Link href={`/?server=${s.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                      Runs
                    </Link>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <div className="mt-6">
            <SandboxButton available={sandboxAvailable()} />
          </div>
        </section>
        <section aria-labelledby="add-server">
          <h2 id="add-server" className="mb-3 text-lg font-medium">
            Add a server
          </h2>
          <AddServerForm />
        </section>
      </div>
    </main>
  );
}

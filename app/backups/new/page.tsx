import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { expectedError } from '@/lib/runs/errors.ts';
import { listServerObjects, listServers, type ServerObjects } from '@/lib/runs/servers.ts';
import { suggestOutDir } from '@/lib/runs/start-dump.ts';
import { buttonClass, FormAlert, PageTitle } from '../../_components/ui.tsx';
import { BackupForm } from './backup-form.tsx';

export const metadata: Metadata = { title: 'New backup' };

export default async function NewBackupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  await requireSession();
  const params = await searchParams;
  const servers = await listServers();
  if (servers.length === 0) {
    return (
      <main className="mx-auto max-w-3xl px-6 py-10">
        <PageTitle>New backup</PageTitle>
        <p className="mb-4 text-zinc-600 dark:text-zinc-400">Add a server first: the backup reads its databases from it.</p>
        <Link href="/servers" className={buttonClass}>
          Add a server
        </Link>
      </main>
    );
  }
  const wanted = typeof params.server === 'string' ? params.server : undefined;
  const server = servers.find((s) => s.id === wanted) ?? servers[0]!;
  let objects: ServerObjects | null = null;
  let error: ReturnType<typeof expectedError> | null = null;
  try {
    objects = await listServerObjects({ id: server.id });
  } catch (e) {
    error = expectedError(e);
  }
  return (
    <main className="mx-auto max-w-4xl px-6 py-10">
      <PageTitle subtitle="Pick what to back up and how. The backup runs on this machine; you can watch it live and cancel or resume it.">New backup</PageTitle>
      {error ? (
        <div className="mb-6">
          <FormAlert state={{ error }} />
        </div>
      ) : null}
      <BackupForm key={server.id} servers={servers.map((s) => ({ id: s.id, name: s.name, address: `${s.user}@${s.host}:${s.port}` }))} serverId={server.id} objects={objects} suggestedOutDir={suggestOutDir({ serverName: server.name })} />
    </main>
  );
}

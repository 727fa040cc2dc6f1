import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { ManifestUnavailable, manifestForPage } from '../manifest-for-page.tsx';
import { pitrAvailability } from '@/lib/runs/pitr-target.ts';
import { listServers } from '@/lib/runs/servers.ts';
import { readCopyManifest } from '@/lib/runs/copy-source.ts';
import { describeError } from '@/lib/runs/errors.ts';
import '@/lib/targets/copy-source.ts';
import { listRunCopies } from '@/lib/targets/target-store.ts';
import { PageTitle } from '../../../_components/ui.tsx';
import { accountLabel } from '@/lib/core/accounts.ts';
import { RestoreForm } from './restore-form.tsx';

export const metadata: Metadata = { title: 'Restore' };

export default async function RestorePage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  await requireSession();
  const { id } = await params;
  const own = await manifestForPage({ id });
  const [servers, allCopies] = await Promise.all([listServers(), listRunCopies({ runId: id })]);
  const copies = allCopies.filter((c) => c.status === 'verified' && !c.deletedAt && c.targetId).map((c) => ({ id: c.id, targetName: c.targetName, location: c.location }));
  // The backup's own folder gone or unreadable: its first verified copy still restores.
  const loaded = own.loaded ?? (copies[0] ? await readCopyManifest({ runId: id, copyId: copies[0].id }).catch(() => null) : null);
  if (!loaded) return <ManifestUnavailable title="Restore" words={own.words ?? describeError('NO_MANIFEST')} />;
  const { manifest } = loaded;
  const availability = pitrAvailability({ manifest, sourceServer: loaded.serverName ? { name: loaded.serverName } : null });
  const start = manifest.consistency.binlog ?? manifest.consistency.snapshots.find((s) => s.binlog)?.binlog ?? null;
  return (
    <main className="mx-auto max-w-4xl px-6 py-10">
      <p className="text-sm text-zinc-500">
        <Link href={`/runs/${id}`} className="hover:underline">
          Run {id}
        </Link>{' '}
        / restore
      </p>
      <PageTitle subtitle={`From the dump of ${manifest.source.host}:${manifest.source.port} finished ${manifest.finishedAt.slice(0, 16).replace('T', ' ')} UTC. It becomes a run of its own, with the same live page.`}>
        Restore
      </PageTitle>
      <RestoreForm
        sourceRunId={id}
        servers={servers.map((s) => ({ id: s.id, name: s.name, address: `${s.user}@${s.host}:${s.port}` }))}
        databases={manifest.databases.map((d) => ({
          name: d.name,
          tables: manifest.tables.filter((t) => t.database === d.name && !t.skipped).map((t) => ({ name: t.table, rows: t.rows })),
        }))}
        accounts={manifest.accounts ? manifest.accounts.list.map((a) => ({ label: accountLabel(a), isRole: a.isRole })) : null}
        threads={manifest.options.threads}
        format={manifest.options.format}
        defaultServerId={loaded.serverId}
        keyId={manifest.encryption?.keyId ?? null}
        outDir={loaded.outDir}
        copies={copies}
        ownReadable={own.loaded !== null}
        pitr={
          availability.available
            ? { available: true, sourceServer: loaded.serverName ?? '', from: start ? `${start.file}:${start.position}` : null }
            : { available: false, reason: availability.reason }
        }
      />
    </main>
  );
}

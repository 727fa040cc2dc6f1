import type { Metadata } from 'next';
import { connection } from 'next/server';
import { requireSession } from '@/lib/auth/require-session.ts';
import { listTargets, plansUsingTarget } from '@/lib/targets/target-store.ts';
import { PageTitle } from '../_components/ui.tsx';
import { AddTargetForm } from './add-target-form.tsx';
import { DeleteTargetButton } from './delete-target-button.tsx';

export const metadata: Metadata = { title: 'Storage targets' };

export default async function TargetsPage() {
  await connection();
  await requireSession();
  const targets = await listTargets();
  const usedBy = new Map(await Promise.all(targets.map(async (t) => [t.id, await plansUsingTarget({ targetId: t.id })] as const)));
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <PageTitle subtitle="Other disks and S3-compatible buckets that plans copy their backups to, each copy verified.">Storage targets</PageTitle>
      <div className="grid gap-10 lg:grid-cols-2">
        <section aria-labelledby="saved-targets">
          <h2 id="saved-targets" className="mb-3 text-lg font-medium">
            Saved targets
          </h2>
          {targets.length === 0 ? (
            <p className="text-zinc-500">No storage targets yet.</p>
          ) : (
            <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
              {targets.map((t) => {
                const plans = usedBy.get(t.id) ?? [];
                return (
                  <li key={t.id} className="flex items-start justify-between gap-4 px-4 py-3" aria-label={t.name}>
                    <div>
                      <p className="font-medium">
                        {t.name} <span className="ml-1 rounded bg-zinc-100 px-1.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">{t.kind === 's3' ? 'S3' : 'local'}</span>
                      </p>
                      <p className="font-mono text-xs break-all text-zinc-500">{t.location}</p>
                      {t.kind === 's3' ? (
                        <p className="text-xs text-zinc-500">
                          {t.endpoint || 'AWS'} · {t.region || 'region from the environment'} · {t.accessKeyId ? `key ${t.accessKeyId}${t.hasSecret ? ' (secret saved, sealed)' : ''}` : 'credentials from the environment'}
                        </p>
                      ) : null}
                      <p className="text-xs text-zinc-500">{plans.length ? `Copied to by ${plans.map((p) => p.name).join(', ')}` : 'No plan copies here yet'}</p>
                    </div>
                    <DeleteTargetButton targetId={t.id} name={t.name} />
                  </li>
                );
              })}
            </ul>
          )}
        </section>
        <section aria-labelledby="add-target">
          <h2 id="add-target" className="mb-3 text-lg font-medium">
            Add a storage target
          </h2>
          <AddTargetForm />
        </section>
      </div>
    </main>
  );
}

import { requireSession } from '@/lib/auth/require-session.ts';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { isParadumpError } from '@/lib/core/errors.ts';
import { getRunView } from '@/lib/runs/load-run-state.ts';
import { RunCopies } from './run-copies.tsx';
import { RunLive } from './run-live.tsx';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  await requireSession();
  const { id } = await params;
  let view: Awaited<ReturnType<typeof getRunView>>;
  try {
    view = await getRunView({ id });
  } catch (error) {
    if (isParadumpError(error, 'RUN_NOT_FOUND')) notFound();
    throw error;
  }
  return (
    <main className="mx-auto max-w-6xl px-6 py-10">
      <RunLive initialState={view.state} initialEventId={view.eventId} />
      <RunCopies runId={id} />
    </main>
  );
}

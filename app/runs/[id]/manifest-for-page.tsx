import Link from 'next/link';
import { notFound } from 'next/navigation';
import { describeError, errorCode, type ErrorWords } from '@/lib/runs/errors.ts';
import { readRunManifest } from '@/lib/runs/read-run-manifest.ts';
import { PageTitle } from '../../_components/ui.tsx';

type Loaded = Awaited<ReturnType<typeof readRunManifest>>;

/** A run's manifest for a page: a 404 for an unknown run, the dashboard's words when there is none to read. */
export async function manifestForPage({ id }: { id: string }): Promise<{ loaded: Loaded; words: null } | { loaded: null; words: ErrorWords }> {
  try {
    return { loaded: await readRunManifest({ id }), words: null };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'RUN_NOT_FOUND') notFound();
    if (code === 'INTERNAL') throw error;
    return { loaded: null, words: describeError(code) };
  }
}

/** The page a run without a readable manifest gets instead. */
export function ManifestUnavailable({ title, words, backTo, wide = false }: { title: string; words: ErrorWords; backTo?: string; wide?: boolean }) {
  return (
    <main className={`mx-auto ${wide ? 'max-w-6xl' : 'max-w-3xl'} px-6 py-10`}>
      <PageTitle>{title}</PageTitle>
      <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
        <p className="font-medium">{words.title}</p>
        <p>{words.hint}</p>
      </div>
      {backTo ? (
        <p className="mt-4">
          <Link href={backTo} className="text-sky-700 hover:underline dark:text-sky-400">
            Back to the run
          </Link>
        </p>
      ) : null}
    </main>
  );
}

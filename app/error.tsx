'use client';

// Unexpected failures only; expected ones are values shown where they happen. In production a
// Server Component's message is withheld from the browser: the digest matches the server log.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined;
  return (
    <main className="mx-auto max-w-5xl px-6 py-12">
      <div role="alert" className="rounded-lg border border-red-300 px-4 py-6 dark:border-red-900">
        <h1 className="text-lg font-medium">Something went wrong</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          The dashboard could not show this page.{digest ? ` Server log reference: ${digest}.` : ''}
        </p>
        <button
          type="button"
          onClick={() => retry()}
          className="mt-4 rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Try again
        </button>
      </div>
    </main>
  );
}

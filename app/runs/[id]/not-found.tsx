import Link from 'next/link';

export default function RunNotFound() {
  return (
    <main className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-semibold">There is no such run</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">It may have been deleted.</p>
      <Link href="/" className="mt-4 inline-block text-sky-700 hover:underline dark:text-sky-400">
        Back to the overview
      </Link>
    </main>
  );
}

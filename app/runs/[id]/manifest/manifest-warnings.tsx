import type { Manifest } from '@/lib/core/manifest.ts';
import { describeError } from '@/lib/runs/errors.ts';

/** What the dump reported on its way (tables dropped or altered mid-dump, …), in the dashboard's words. */
export function ManifestWarnings({ warnings }: { warnings: Manifest['warnings'] }) {
  if (!warnings.length) return null;
  return (
    <section aria-labelledby="manifest-warnings" className="mb-6">
      <h2 id="manifest-warnings" className="mb-2 text-lg font-medium">
        Warnings
      </h2>
      <ul className="space-y-1 text-sm">
        {warnings.map((w, i) => (
          <li key={i}>
            <span className="font-medium">{describeError(w.code).title}</span> <span className="font-mono text-xs text-zinc-500">{w.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

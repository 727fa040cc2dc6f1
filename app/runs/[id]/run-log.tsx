import { describeError } from '@/lib/runs/error-words.ts';
import type { LogEntry } from '@/lib/runs/schemas.ts';
import { formatClock } from '../../_lib/format.ts';

const LEVEL: Record<LogEntry['level'], string> = {
  info: 'text-zinc-500',
  warning: 'text-amber-700 dark:text-amber-400',
  error: 'text-red-700 dark:text-red-400',
};

/** Warnings and errors in the dashboard's words (the engine's own message below), and lifecycle notes. */
export function RunLog({ entries }: { entries: LogEntry[] }) {
  if (entries.length === 0) return <p className="text-sm text-zinc-500">Nothing logged yet.</p>;
  const problems = entries.filter((e) => e.level !== 'info').length;
  return (
    <div>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">{problems === 0 ? 'No warnings or errors.' : `${problems} warning${problems === 1 ? '' : 's'} or error${problems === 1 ? '' : 's'}.`}</p>
      <ol aria-label="Run log" className="max-h-96 divide-y divide-zinc-200 overflow-y-auto rounded-lg border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
        {entries.map((e, i) => (
          <li key={`${e.at}-${i}`} className="flex gap-3 px-3 py-2">
            <time dateTime={e.at} className="shrink-0 font-mono text-xs text-zinc-500">
              {formatClock(e.at)}
            </time>
            <span className={`w-16 shrink-0 text-xs font-medium uppercase ${LEVEL[e.level]}`}>{e.level}</span>
            <span className="min-w-0">
              {e.level !== 'info' && e.code ? <span className="block font-medium">{describeError(e.code).title}</span> : null}
              <span className={e.level !== 'info' && e.code ? 'block break-words font-mono text-xs text-zinc-500' : 'break-words'}>
                {e.database ? `${e.database}${e.table ? `.${e.table}` : ''}: ` : ''}
                {e.message}
                {e.code && e.level !== 'info' ? ` [${e.code}]` : ''}
              </span>
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

import type { PlanSummary } from '@/lib/plans/plan-summaries.ts';
import { cardClass } from '../../_components/ui.tsx';
import { formatTimestamp } from '../../_lib/format.ts';
import { age } from '../plan-badge.tsx';

/** The plan at a glance: its schedule, next run, last good backup (red when stale), retention and the targets it copies to. */
export function PlanFacts({ summary, copiesTo }: { summary: PlanSummary; copiesTo: string[] }) {
  const { plan } = summary;
  const r = plan.retention;
  return (
    <dl className="my-8 grid gap-4 sm:grid-cols-4">
      <div className={cardClass}>
        <dt className="text-sm text-zinc-500">Schedule</dt>
        <dd className="mt-1 text-sm font-medium">{summary.description}</dd>
      </div>
      <div className={cardClass}>
        <dt className="text-sm text-zinc-500">Next run</dt>
        <dd className="mt-1 text-sm font-medium" data-testid="next-run">{plan.paused ? 'paused' : summary.nextRunAt ? formatTimestamp(summary.nextRunAt) : '—'}</dd>
      </div>
      <div className={cardClass}>
        <dt className="text-sm text-zinc-500">Last good backup</dt>
        <dd className={`mt-1 text-sm font-medium ${summary.stale ? 'text-red-700 dark:text-red-400' : ''}`}>{summary.lastGoodAt ? age(summary.lastGoodAt) : 'none yet'}</dd>
      </div>
      <div className={cardClass}>
        <dt className="text-sm text-zinc-500">Retention</dt>
        <dd className="mt-1 text-sm font-medium">
          last {r.keepLast}
          {r.daily ? `, ${r.daily} daily` : ''}
          {r.weekly ? `, ${r.weekly} weekly` : ''}
          {r.monthly ? `, ${r.monthly} monthly` : ''}
          {r.yearly ? `, ${r.yearly} yearly` : ''}
        </dd>
      </div>
      {copiesTo.length ? (
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Copies to</dt>
          <dd className="mt-1 text-sm font-medium">{copiesTo.join(', ')}</dd>
        </div>
      ) : null}
      {plan.dump.encryptKeyFile ? (
        <div className={cardClass}>
          <dt className="text-sm text-zinc-500">Encrypted with key file</dt>
          <dd className="mt-1 break-all font-mono text-sm">{plan.dump.encryptKeyFile}</dd>
        </div>
      ) : null}
    </dl>
  );
}

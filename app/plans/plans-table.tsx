import Link from 'next/link';
import type { DrillSummary } from '@/lib/drills/drill-summaries.ts';
import type { PlanSummary } from '@/lib/plans/plan-summaries.ts';
import { PartialBadge } from '../_components/partial-badge.tsx';
import { StatusBadge } from '../_components/ui.tsx';
import { formatTimestamp } from '../_lib/format.ts';
import { DrillBadge, ProvenRestore } from './drill-badge.tsx';
import { age, PlanBadge } from './plan-badge.tsx';

/** Plans, stale first (the order listPlanSummaries gives), with their restore drills when given. */
export function PlansTable({ summaries, caption, drills }: { summaries: PlanSummary[]; caption: string; drills?: Map<string, DrillSummary> }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="py-2 pr-4 font-medium">Plan</th>
            <th className="py-2 pr-4 font-medium">Status</th>
            <th className="py-2 pr-4 font-medium">Schedule</th>
            <th className="py-2 pr-4 font-medium">Next run</th>
            <th className="py-2 pr-4 font-medium">Last result</th>
            <th className="py-2 pr-4 font-medium">Last good backup</th>
            {drills ? <th className="py-2 pr-4 font-medium">Restore drill</th> : null}
          </tr>
        </thead>
        <tbody>
          {summaries.map((s) => (
            <tr key={s.plan.id} className="border-b border-zinc-100 dark:border-zinc-900">
              <td className="py-2 pr-4">
                <Link href={`/plans/${s.plan.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                  {s.plan.name}
                </Link>
                <span className="block text-xs text-zinc-500">{s.plan.serverName}</span>
              </td>
              <td className="py-2 pr-4">
                <PlanBadge summary={s} />
              </td>
              <td className="py-2 pr-4">{s.description}</td>
              <td className="py-2 pr-4 whitespace-nowrap">{s.nextRunAt ? formatTimestamp(s.nextRunAt) : '—'}</td>
              <td className="py-2 pr-4">
                {s.lastRun ? <StatusBadge status={s.lastRun.status} /> : <span className="text-zinc-500">no run yet</span>}
                {s.lastRun?.copyState === 'partial' ? <PartialBadge /> : null}
              </td>
              <td className="py-2 pr-4 whitespace-nowrap">{s.lastGoodAt ? age(s.lastGoodAt) : <span className="text-zinc-500">none</span>}</td>
              {drills ? <td className="py-2 pr-4 text-xs">{drillCell(drills.get(s.plan.id))}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function drillCell(summary: DrillSummary | undefined) {
  if (!summary) return <span className="text-zinc-500">no drill policy</span>;
  return (
    <>
      <DrillBadge summary={summary} /> <ProvenRestore summary={summary} />
    </>
  );
}

import Link from 'next/link';
import type { DrillSummary } from '@/lib/drills/drill-summaries.ts';
import type { PlanSummary } from '@/lib/plans/plan-summaries.ts';
import { PlansTable } from '../plans/plans-table.tsx';

/** The first plans (stale first) with how many are stale and how many drills fail; nothing without plans. */
export function PlansGlance({ plans, drills }: { plans: PlanSummary[]; drills: Map<string, DrillSummary> }) {
  if (plans.length === 0) return null;
  const failedDrills = [...drills.values()].filter((d) => d.red).length;
  const stale = plans.filter((p) => p.stale).length;
  return (
    <section aria-labelledby="plans" className="mb-8">
      <div className="mb-3 flex items-baseline justify-between gap-4">
        <h2 id="plans" className="text-lg font-medium">
          Plans{stale ? <span className="ml-2 text-sm text-red-700 dark:text-red-400">{stale} stale</span> : null}
          {failedDrills ? <span className="ml-2 text-sm text-red-700 dark:text-red-400">{failedDrills} restore drill{failedDrills > 1 ? 's' : ''} failing or overdue</span> : null}
        </h2>
        <Link href="/plans" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          All plans
        </Link>
      </div>
      {/* Stale plans come first: they are what needs looking at. */}
      <PlansTable summaries={plans.slice(0, 8)} caption="Plans, stale first" drills={drills} />
    </section>
  );
}

import { CHECK_ROWS, drillFormValues } from '@/lib/drills/drill-form.ts';
import { recoveryTimeMs } from '@/lib/drills/drill-store.ts';
import { getPlanDrills } from '@/lib/drills/drill-summaries.ts';
import { describeError } from '@/lib/runs/errors.ts';
import { listServers } from '@/lib/runs/servers.ts';
import { cardClass, StatusBadge } from '../../_components/ui.tsx';
import { formatBytes, formatDuration, formatTimestamp } from '../../_lib/format.ts';
import { DrillBadge, formatRecoveryPoint, ProvenRestore } from '../drill-badge.tsx';
import { DrillActions } from './drill-actions.tsx';
import { DrillPolicyForm } from './drill-policy-form.tsx';
import { RecoveryChart } from './recovery-chart.tsx';

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/** The plan's restore drills: the last proven restore, Run drill now, the recovery time chart, the drills and the policy. */
export async function DrillSection({ planId }: { planId: string }) {
  const [detail, servers] = await Promise.all([getPlanDrills({ planId }), listServers()]);
  const choices = servers.map((s) => ({ id: s.id, name: s.name }));
  const form = <DrillPolicyForm planId={planId} servers={choices} initial={drillFormValues(detail?.summary.policy ?? null)} checkRows={CHECK_ROWS} />;
  if (!detail) {
    return (
      <section aria-labelledby="drills" className="mb-8">
        <h2 id="drills" className="mb-3 text-lg font-medium">
          Restore drills
        </h2>
        <p className="mb-3 text-sm text-zinc-500">A drill restores the plan’s newest good backup somewhere safe, verifies every chunk, runs your checks and drops it again: proof that the backup restores, and how long it takes.</p>
        {form}
      </section>
    );
  }
  const { summary, drills } = detail;
  const points = [...drills].reverse().map((d) => ({ t: d.startedAt.getTime(), restore: d.status === 'running' || d.status === 'queued' ? null : seconds(recoveryTimeMs(d)), verify: seconds(d.verifyMs) }));
  return (
    <section aria-labelledby="drills" className="mb-8">
      <h2 id="drills" className="mb-3 text-lg font-medium">
        Restore drills <DrillBadge summary={summary} />
      </h2>
      <p className={`${cardClass} mb-4 text-sm font-medium`}>
        <ProvenRestore summary={summary} />
      </p>
      <DrillActions planId={planId} runningDrillId={summary.running ? (summary.last?.id ?? null) : null} />
      <div className="my-4">
        <RecoveryChart points={points.filter((p) => p.restore !== null || p.verify !== null)} />
      </div>
      {drills.length === 0 ? (
        <p className="mb-4 text-sm text-zinc-500">No drill yet.</p>
      ) : (
        <div className="mb-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Restore drills of this plan</caption>
            <thead className="border-b border-zinc-200 text-xs text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="py-2 pr-4 font-medium">Started</th>
                <th className="py-2 pr-4 font-medium">Result</th>
                <th className="py-2 pr-4 font-medium">Recovery time</th>
                <th className="py-2 pr-4 font-medium">Verify</th>
                <th className="py-2 pr-4 font-medium">Recovery point</th>
                <th className="py-2 pr-4 font-medium">Data</th>
                <th className="py-2 pr-4 font-medium">Checks</th>
              </tr>
            </thead>
            <tbody>
              {drills.map((d) => (
                <tr key={d.id} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                  <td className="py-2 pr-4 whitespace-nowrap">
                    {formatTimestamp(d.startedAt)}
                    <span className="block text-xs text-zinc-500">
                      {d.trigger === 'manual' ? 'run drill now' : d.trigger === 'schedule' ? 'scheduled' : 'after backups'} · {d.target?.kind === 'server' ? `into ${d.target.serverName}` : 'throwaway server'}
                    </span>
                  </td>
                  <td className="py-2 pr-4">
                    <StatusBadge status={d.status} />
                    {d.errorCode ? (
                      <span className="block max-w-md text-xs text-red-700 dark:text-red-400" data-testid="drill-failure">
                        {describeError(d.errorCode).title}
                        {d.failedChunk ? ` — chunk ${d.failedChunk.index} of ${d.failedChunk.database}.${d.failedChunk.table}${d.failedChunk.file ? ` (${d.failedChunk.file})` : ''}` : ''}: {d.errorMessage}
                      </span>
                    ) : null}
                    {d.leftovers ? <span className="block text-xs text-amber-700">left on the target: {d.leftovers}</span> : null}
                  </td>
                  <td className="py-2 pr-4 tabular-nums">
                    {d.restoreMs === null ? '—' : formatDuration(recoveryTimeMs(d) ?? d.restoreMs)}
                    {d.rollForward ? <span className="block text-xs text-zinc-500">restore {formatDuration(d.restoreMs ?? 0)} + roll forward {formatDuration(d.rollForward.durationMs)}</span> : null}
                  </td>
                  <td className="py-2 pr-4 tabular-nums">{d.verifyMs === null ? '—' : formatDuration(d.verifyMs)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">
                    {d.recoveryPoint ? formatRecoveryPoint(d.recoveryPoint) : '—'}
                    {d.rollForward ? (
                      <span className="block text-xs text-zinc-500" data-testid="drill-roll-forward">
                        {d.rollForward.last ? `rolled forward ${d.rollForward.transactions} transaction${d.rollForward.transactions === 1 ? '' : 's'}, last ${d.rollForward.last.file}:${d.rollForward.last.position}` : 'rolled forward: no transaction since the backup'}
                      </span>
                    ) : d.status === 'succeeded' ? (
                      <span className="block text-xs text-zinc-500">the backup’s snapshot</span>
                    ) : null}
                  </td>
                  <td className="py-2 pr-4 tabular-nums">{d.chunks ? `${formatBytes(d.bytes)}, ${d.rows} rows` : '—'}</td>
                  <td className="py-2 pr-4 text-xs">
                    {d.checks.length === 0 ? <span className="text-zinc-500">—</span> : d.checks.map((c, i) => <p key={i} className={c.ok ? '' : 'text-red-700 dark:text-red-400'}>{c.ok ? '✓' : '✗'} {c.name}: {c.actual ?? 'no value'}{c.ok ? '' : ` (${c.error})`}</p>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <details>
        <summary className="cursor-pointer text-sm font-medium">Drill policy</summary>
        <div className="mt-3">{form}</div>
      </details>
    </section>
  );
}

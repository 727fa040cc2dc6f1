'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface RecoveryPoint {
  t: number;
  /** Recovery time (the restore, plus the roll forward when there was one), seconds; null when the drill failed before the restore finished. */
  restore: number | null;
  verify: number | null;
}

const day = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');

/** Time to restore (and to verify) over the plan's last drills, oldest to newest. */
export function RecoveryChart({ points }: { points: RecoveryPoint[] }) {
  if (points.length < 2) return <p className="text-sm text-zinc-500">The recovery time chart appears after two drills.</p>;
  return (
    <figure>
      <div className="h-48 w-full" data-testid="recovery-chart">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="t" tickFormatter={day} stroke="currentColor" fontSize={11} />
            <YAxis stroke="currentColor" fontSize={11} width={48} unit=" s" />
            <Tooltip labelFormatter={(t) => day(Number(t))} contentStyle={{ fontSize: 12 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="restore" name="time to restore (s)" stroke="#0ea5e9" dot isAnimationActive={false} strokeWidth={2} connectNulls={false} />
            <Line dataKey="verify" name="time to verify (s)" stroke="#f59e0b" dot isAnimationActive={false} strokeWidth={2} connectNulls={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-zinc-500">Recovery time of the last {points.length} drills.</figcaption>
    </figure>
  );
}

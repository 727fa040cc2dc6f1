'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface HistoryPoint {
  t: number;
  mib: number;
  seconds: number | null;
}

const day = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');

/** Size (bars) and duration (line) of the plan's good runs, oldest to newest. */
export function HistoryChart({ points }: { points: HistoryPoint[] }) {
  if (points.length < 2) return <p className="text-sm text-zinc-500">The chart appears after two good backups.</p>;
  return (
    <figure>
      <div className="h-48 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="t" tickFormatter={day} stroke="currentColor" fontSize={11} />
            <YAxis yAxisId="mib" stroke="#0ea5e9" fontSize={11} width={56} />
            <YAxis yAxisId="s" orientation="right" stroke="#f59e0b" fontSize={11} width={48} />
            <Tooltip labelFormatter={(t) => day(Number(t))} contentStyle={{ fontSize: 12 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar yAxisId="mib" dataKey="mib" name="size (MiB)" fill="#0ea5e9" isAnimationActive={false} />
            <Line yAxisId="s" dataKey="seconds" name="duration (s)" stroke="#f59e0b" dot isAnimationActive={false} strokeWidth={2} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-zinc-500">Size and duration of the last {points.length} good backups.</figcaption>
    </figure>
  );
}

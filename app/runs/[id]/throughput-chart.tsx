'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { throughputSeries } from '@/lib/runs/progress.ts';
import type { Sample } from '@/lib/runs/schemas.ts';
import { formatRate } from '../../_lib/format.ts';

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

/** Rows/s and MiB/s per second of the run (recharts). */
export function ThroughputChart({ samples }: { samples: Sample[] }) {
  const data = throughputSeries(samples);
  if (data.length < 2) return <p className="text-sm text-zinc-500">The chart starts after a couple of seconds of data.</p>;
  const peak = data.reduce((m, d) => Math.max(m, d.rowsPerSecond ?? 0), 0);
  const seconds = data.filter((d) => d.rowsPerSecond !== null).length;
  return (
    <figure>
      <div className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={clock} stroke="currentColor" fontSize={11} />
            <YAxis yAxisId="rows" stroke="#0ea5e9" fontSize={11} tickFormatter={(v: number) => formatRate(v)} width={64} />
            <YAxis yAxisId="mib" orientation="right" stroke="#10b981" fontSize={11} width={48} />
            <Tooltip labelFormatter={(t) => clock(Number(t))} formatter={(value, name) => [value === null || value === undefined ? '—' : formatRate(Number(value)), name]} contentStyle={{ fontSize: 12 }} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line yAxisId="rows" type="monotone" dataKey="rowsPerSecond" name="rows/s" stroke="#0ea5e9" dot={false} isAnimationActive={false} strokeWidth={2} />
            <Line yAxisId="mib" type="monotone" dataKey="mibPerSecond" name="MiB/s" stroke="#10b981" dot={false} isAnimationActive={false} strokeWidth={2} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-zinc-500">
        Throughput per second over {seconds} seconds; peak {formatRate(peak)} rows/s.
      </figcaption>
    </figure>
  );
}

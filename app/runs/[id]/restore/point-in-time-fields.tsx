import { useState } from 'react';
import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, FieldError, inputClass } from '../../../_components/ui.tsx';

/** Whether the dump can be rolled forward (and from where), or why not. */
export type PitrChoice = { available: true; sourceServer: string; from: string | null } | { available: false; reason: string };

const STOPS = [
  { kind: 'end', label: 'To the end of the binary log', hint: 'Everything the source has logged when the roll forward starts.' },
  { kind: 'datetime', label: 'To a date and time', hint: 'Transactions logged before it, UTC, whole seconds.', field: 'Stop date and time (UTC)', placeholder: '2026-12-03 14:30:00' },
  { kind: 'position', label: 'To a binlog position', hint: 'Events that start before this position of this binlog file.', field: 'Stop binlog position', placeholder: 'binlog.000042:1234' },
  { kind: 'gtid', label: 'To a GTID', hint: 'Up to and including this MariaDB GTID (domain-server-sequence).', field: 'Stop GTID', placeholder: '0-1-500' },
] as const;

/** The optional point-in-time step: roll forward with the source's binary log after loading, until a stop point. */
export function PointInTimeFields({ pitr, sent }: { pitr: PitrChoice; sent: FormValues }) {
  const { errors, text } = sent;
  const [kind, setKind] = useState(() => (pitr.available ? text('pitr', 'none') : 'none'));
  return (
    <fieldset className={`${cardClass} space-y-3`} aria-describedby="pitr-about">
      <legend className="px-1 text-sm font-medium">Point in time</legend>
      <p id="pitr-about" className="text-sm text-zinc-500">
        {pitr.available
          ? `After loading (and verifying), roll forward with the binary log of ${pitr.sourceServer}, the server this backup was taken from${pitr.from ? `, from ${pitr.from}` : ''}, until a stop point.`
          : 'After loading, roll forward with the binary log of the server this backup was taken from, until a stop point.'}
      </p>
      {pitr.available ? null : (
        <p id="pitr-unavailable" role="note" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
          Rolling forward is not possible: {pitr.reason}
        </p>
      )}
      <label className="flex items-start gap-2 text-sm">
        <input type="radio" name="pitr" value="none" checked={kind === 'none'} onChange={() => setKind('none')} className="mt-1" />
        <span className="font-medium">Don’t roll forward</span>
      </label>
      {STOPS.map((stop) => (
        <div key={stop.kind}>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="pitr"
              value={stop.kind}
              checked={kind === stop.kind}
              onChange={() => setKind(stop.kind)}
              disabled={!pitr.available}
              aria-describedby={pitr.available ? undefined : 'pitr-unavailable'}
              className="mt-1"
            />
            <span>
              <span className="font-medium">Roll forward {stop.label.charAt(0).toLowerCase() + stop.label.slice(1)}</span>
              <span className="block text-zinc-500">{stop.hint}</span>
            </span>
          </label>
          {'field' in stop ? (
            <div className="mt-1 ml-6 max-w-sm">
              <label htmlFor={`pitr-${stop.kind}`} className="sr-only">
                {stop.field}
              </label>
              <input
                id={`pitr-${stop.kind}`}
                name={`pitr:${stop.kind}`}
                defaultValue={text(`pitr:${stop.kind}`, '')}
                placeholder={stop.placeholder}
                disabled={kind !== stop.kind}
                className={`${inputClass} font-mono`}
                aria-invalid={errors[`pitr:${stop.kind}`] ? true : undefined}
                aria-describedby={`pitr-${stop.kind}-error`}
              />
              <FieldError id={`pitr-${stop.kind}-error`} errors={errors[`pitr:${stop.kind}`]} />
            </div>
          ) : null}
        </div>
      ))}
      <FieldError id="pitr-error" errors={errors.pitr} />
    </fieldset>
  );
}

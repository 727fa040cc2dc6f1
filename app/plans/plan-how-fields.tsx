import { CompressionField, FormatField, LOCKS } from '../_components/dump-shape-fields.tsx';
import { cardClass, ChoiceSelect, Field, inputClass } from '../_components/ui.tsx';
import type { FormValues } from '../_components/sent-back.ts';

/** How each of the plan's backups runs: threads, chunk size, compression, file format, lock strategy. */
export function PlanHowFields({ values }: { values: FormValues }) {
  const { errors, text } = values;
  return (
    <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
      <legend className="px-1 text-sm font-medium">How</legend>
      <Field id="plan-threads" name="threads" label="Threads" type="number" min={1} max={64} errors={errors} defaultValue={text('threads', '4')} />
      <Field id="plan-chunk-rows" name="chunkRows" label="Rows per chunk" type="number" min={100} errors={errors} defaultValue={text('chunkRows', '100000')} />
      <CompressionField id="plan-compress" value={text('compress', 'zstd')} />
      <FormatField id="plan-format" value={text('format', 'sql')} />
      <div>
        <label htmlFor="plan-lock" className="mb-1 block text-sm font-medium">
          Lock strategy
        </label>
        <ChoiceSelect id="plan-lock" name="lock" defaultValue={text('lock', 'snapshot')} className={inputClass}>
          {LOCKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </ChoiceSelect>
      </div>
    </fieldset>
  );
}

import { cardClass, ChoiceSelect, inputClass } from '../_components/ui.tsx';
import { Field, type PlanValues } from './plan-field.tsx';

/** How each of the plan's backups runs: threads, chunk size, compression, file format, lock strategy. */
export function PlanHowFields({ values }: { values: PlanValues }) {
  const { errors, text } = values;
  return (
    <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
      <legend className="px-1 text-sm font-medium">How</legend>
      <Field id="plan-threads" name="threads" label="Threads" type="number" min={1} max={64} errors={errors} defaultValue={text('threads', '4')} />
      <Field id="plan-chunk-rows" name="chunkRows" label="Rows per chunk" type="number" min={100} errors={errors} defaultValue={text('chunkRows', '100000')} />
      <div>
        <label htmlFor="plan-compress" className="mb-1 block text-sm font-medium">
          Compression
        </label>
        <ChoiceSelect id="plan-compress" name="compress" defaultValue={text('compress', 'zstd')} className={inputClass}>
          <option value="zstd">zstd (fast, small)</option>
          <option value="gzip">gzip</option>
          <option value="none">none</option>
        </ChoiceSelect>
      </div>
      <div>
        <label htmlFor="plan-format" className="mb-1 block text-sm font-medium">
          Data format
        </label>
        <ChoiceSelect id="plan-format" name="format" defaultValue={text('format', 'sql')} className={inputClass}>
          <option value="sql">SQL (INSERT statements)</option>
          <option value="tsv">TSV (LOAD DATA, faster restore)</option>
        </ChoiceSelect>
      </div>
      <div>
        <label htmlFor="plan-lock" className="mb-1 block text-sm font-medium">
          Lock strategy
        </label>
        <ChoiceSelect id="plan-lock" name="lock" defaultValue={text('lock', 'snapshot')} className={inputClass}>
          <option value="snapshot">One snapshot</option>
          <option value="per-db">Per database</option>
          <option value="per-table">Per table</option>
          <option value="none">No locks</option>
        </ChoiceSelect>
      </div>
    </fieldset>
  );
}

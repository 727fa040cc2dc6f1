import type { SentBack } from '../../_components/sent-back.ts';
import { cardClass, ChoiceSelect, FieldError, inputClass } from '../../_components/ui.tsx';

/** How fast and in what shape the data is written: threads, chunk size, compression, file format. */
export function SpeedFields({ sent }: { sent: SentBack }) {
  const { errors, text } = sent;
  return (
    <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
      <legend className="px-1 text-sm font-medium">Speed</legend>
      <div>
        <label htmlFor="backup-threads" className="mb-1 block text-sm font-medium">
          Threads
        </label>
        <input id="backup-threads" name="threads" type="number" min={1} max={64} defaultValue={text('threads', '4')} className={inputClass} aria-invalid={errors.threads ? true : undefined} aria-describedby="backup-threads-error" />
        <FieldError id="backup-threads-error" errors={errors.threads} />
      </div>
      <div>
        <label htmlFor="backup-chunk-rows" className="mb-1 block text-sm font-medium">
          Rows per chunk
        </label>
        <input id="backup-chunk-rows" name="chunkRows" type="number" min={100} defaultValue={text('chunkRows', '100000')} className={inputClass} aria-invalid={errors.chunkRows ? true : undefined} aria-describedby="backup-chunk-rows-error" />
        <FieldError id="backup-chunk-rows-error" errors={errors.chunkRows} />
      </div>
      <div>
        <label htmlFor="backup-compress" className="mb-1 block text-sm font-medium">
          Compression
        </label>
        <ChoiceSelect id="backup-compress" name="compress" defaultValue={text('compress', 'zstd')} className={inputClass}>
          <option value="zstd">zstd (fast, small)</option>
          <option value="gzip">gzip</option>
          <option value="none">none</option>
        </ChoiceSelect>
      </div>
      <div>
        <label htmlFor="backup-format" className="mb-1 block text-sm font-medium">
          Data format
        </label>
        <ChoiceSelect id="backup-format" name="format" defaultValue={text('format', 'sql')} className={inputClass} aria-describedby="backup-format-hint">
          <option value="sql">SQL (INSERT statements)</option>
          <option value="tsv">TSV (LOAD DATA, faster restore)</option>
        </ChoiceSelect>
        <p id="backup-format-hint" className="mt-1 text-xs text-zinc-500">
          TSV restores faster; the target must allow LOAD DATA LOCAL (local_infile).
        </p>
      </div>
    </fieldset>
  );
}

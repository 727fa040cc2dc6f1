import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, ChoiceSelect, Field, FieldError, inputClass } from '../../../_components/ui.tsx';

/** How the rows are loaded: threads, LOAD DATA or INSERTs, verification, index building, replacing. */
export function LoadOptionsFields({ threads, format, sent }: { threads: number; format: 'sql' | 'tsv'; sent: FormValues }) {
  const { errors, text } = sent;
  return (
    <fieldset className={`${cardClass} space-y-3`}>
      <legend className="px-1 text-sm font-medium">How</legend>
      <div className="max-w-40">
        <label htmlFor="restore-threads" className="mb-1 block text-sm font-medium">
          Threads
        </label>
        <input id="restore-threads" name="threads" type="number" min={1} max={64} defaultValue={text('threads', String(threads))} className={inputClass} aria-describedby="restore-threads-error" />
        <FieldError id="restore-threads-error" errors={errors.threads} />
      </div>
      <div className="max-w-md">
        <label htmlFor="restore-load-method" className="mb-1 block text-sm font-medium">
          Load rows with
        </label>
        <ChoiceSelect id="restore-load-method" name="loadMethod" defaultValue={text('loadMethod', 'auto')} className={inputClass} aria-describedby="restore-load-method-help restore-load-method-error">
          <option value="auto">Automatic: LOAD DATA when the target allows it</option>
          <option value="load-data">LOAD DATA LOCAL INFILE (the target needs local_infile)</option>
          {/* A tsv dump holds no INSERTs: the engine would refuse the choice. */}
          {format === 'sql' ? <option value="insert">INSERT statements</option> : null}
        </ChoiceSelect>
        <p id="restore-load-method-help" className="mt-1 text-xs text-zinc-500">
          {format === 'sql'
            ? 'LOAD DATA is less work for the server: this SQL dump’s rows are rewritten to tab-separated lines as they stream.'
            : 'This is a TSV dump: it always loads with LOAD DATA, and the target must allow local_infile.'}
        </p>
        <FieldError id="restore-load-method-error" errors={errors.loadMethod} />
      </div>
      <div className="grid max-w-2xl gap-4 sm:grid-cols-2">
        <Field id="restore-max-rate" name="maxRate" label="Max rate" placeholder="unthrottled" hint="Bytes per second sent to the target: 10M, 512K… (at least 1M)" errors={errors} defaultValue={text('maxRate', '')} />
        <Field id="restore-max-threads-running" name="maxThreadsRunning" label="Max running statements" type="number" min={2} placeholder="no pause" hint="New chunks wait while the target's Threads_running is above this" errors={errors} defaultValue={text('maxThreadsRunning', '')} />
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="verify" defaultChecked className="mt-1" />
        <span>
          <span className="font-medium">Verify after loading</span>
          <span className="block text-zinc-500">Reads every chunk’s key range back from the target and compares it with the dump’s content hash (before any roll forward).</span>
        </span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="deferIndexes" defaultChecked className="mt-1" />
        <span>
          <span className="font-medium">Build secondary indexes after loading</span>
          <span className="block text-zinc-500">Loads rows with the primary and unique keys only, then adds the plain indexes in one pass per table: about a third less work for the server. Untick to create each table with all its indexes first.</span>
        </span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="dropExisting" className="mt-1" />
        <span>
          <span className="font-medium">Replace existing tables</span>
          <span className="block text-zinc-500">Drops target tables and objects with the same names first. Off: a name that exists is refused.</span>
        </span>
      </label>
    </fieldset>
  );
}

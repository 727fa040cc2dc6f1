import { CompressionField, FormatField } from '../../_components/dump-shape-fields.tsx';
import type { FormValues } from '../../_components/sent-back.ts';
import { cardClass, Field } from '../../_components/ui.tsx';

/** How fast and in what shape the data is written: threads, chunk size, compression, file format. */
export function SpeedFields({ sent }: { sent: FormValues }) {
  const { errors, text } = sent;
  return (
    <fieldset className={`${cardClass} grid gap-4 sm:grid-cols-3`}>
      <legend className="px-1 text-sm font-medium">Speed</legend>
      <Field id="backup-threads" name="threads" label="Threads" type="number" min={1} max={64} errors={errors} defaultValue={text('threads', '4')} />
      <Field id="backup-chunk-rows" name="chunkRows" label="Rows per chunk" type="number" min={100} errors={errors} defaultValue={text('chunkRows', '100000')} />
      <CompressionField id="backup-compress" value={text('compress', 'zstd')} />
      <FormatField id="backup-format" value={text('format', 'sql')} hint />
      <Field id="backup-max-rate" name="maxRate" label="Max rate" placeholder="unthrottled" hint="Bytes per second across the dump: 10M, 512K… (at least 1M)" errors={errors} defaultValue={text('maxRate', '')} />
      <Field id="backup-max-threads-running" name="maxThreadsRunning" label="Max running statements" type="number" min={2} placeholder="no pause" hint="New chunks wait while the source's Threads_running is above this" errors={errors} defaultValue={text('maxThreadsRunning', '')} />
    </fieldset>
  );
}

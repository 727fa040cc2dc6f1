import { ChoiceSelect, inputClass } from './ui.tsx';

/** The lock strategies, each with what it blocks and what consistency it buys. */
export const LOCKS = [
  { value: 'snapshot', label: 'One snapshot', help: 'Blocks commits for a moment while every worker opens its snapshot; all tables from one point in time, with binlog coordinates.' },
  { value: 'per-db', label: 'Per database', help: 'Read-locks one database’s tables while its snapshot opens; consistent within each database, not across them.' },
  { value: 'per-table', label: 'Per table', help: 'Write-locks each table while it is read; consistent within each table only.' },
  { value: 'auto', label: 'Automatic', help: 'The snapshot lock when the account may block commits (RELOAD), else lockless.' },
  { value: 'lockless', label: 'Lockless', help: 'No global lock (for managed servers): the binlog position proves the snapshots are one point in time, or the manifest says they are not and why.' },
  { value: 'none', label: 'No locks', help: 'Takes no lock at all; consistent only if nothing writes (a stopped replica).' },
] as const;

/** The compression of a dump's files, as the backup form and the plan form both offer it. */
export function CompressionField({ id, value }: { id: string; value: string }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        Compression
      </label>
      <ChoiceSelect id={id} name="compress" defaultValue={value} className={inputClass}>
        <option value="zstd">zstd (fast, small)</option>
        <option value="gzip">gzip</option>
        <option value="none">none</option>
      </ChoiceSelect>
    </div>
  );
}

/** The data files' format; with `hint`, what a tsv restore needs of the target. */
export function FormatField({ id, value, hint = false }: { id: string; value: string; hint?: boolean }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        Data format
      </label>
      <ChoiceSelect id={id} name="format" defaultValue={value} className={inputClass} aria-describedby={hint ? `${id}-hint` : undefined}>
        <option value="sql">SQL (INSERT statements)</option>
        <option value="tsv">TSV (LOAD DATA, faster restore)</option>
      </ChoiceSelect>
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-zinc-500">
          TSV restores faster; the target must allow LOAD DATA LOCAL (local_infile).
        </p>
      ) : null}
    </div>
  );
}

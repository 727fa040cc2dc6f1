import type { FormValues } from '../../../_components/sent-back.ts';
import { cardClass, FieldError, inputClass } from '../../../_components/ui.tsx';
import { formatCount } from '../../../_lib/format.ts';

export interface DatabaseChoice {
  name: string;
  tables: { name: string; rows: number }[];
}

/** Each dumped database: the name to restore it under and which of its tables to load. */
export function RestoreObjectsFields({ databases, sent }: { databases: DatabaseChoice[]; sent: FormValues }) {
  return (
    <fieldset className={cardClass}>
      <legend className="px-1 text-sm font-medium">Databases and tables</legend>
      <p className="mb-3 text-sm text-zinc-500">Restore each database under its own name or a new one. Leave every table ticked for a full restore with views, triggers and routines.</p>
      <ul className="space-y-4">
        {databases.map((db) => (
          <DatabaseRestore key={db.name} db={db} sent={sent} />
        ))}
      </ul>
      <FieldError id="restore-tables-error" errors={sent.errors.tables} />
    </fieldset>
  );
}

function DatabaseRestore({ db, sent }: { db: DatabaseChoice; sent: FormValues }) {
  const { errors, text } = sent;
  // Every table is ticked until a submit sends back which ones were.
  const pickedTables = sent.list('tables');
  return (
    <li>
      <label htmlFor={`rename-${db.name}`} className="mb-1 block text-sm font-medium">
        Restore {db.name} as
      </label>
      <input
        id={`rename-${db.name}`}
        name={`rename:${db.name}`}
        defaultValue={text(`rename:${db.name}`, db.name)}
        className={`${inputClass} font-mono`}
        aria-invalid={errors[`rename:${db.name}`] ? true : undefined}
        aria-describedby={`rename-${db.name}-error`}
      />
      <FieldError id={`rename-${db.name}-error`} errors={errors[`rename:${db.name}`]} />
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-zinc-500">Tables of {db.name}</summary>
        <ul className="mt-1 grid gap-1 sm:grid-cols-2">
          {db.tables.map((t) => {
            const name = `${db.name}.${t.name}`;
            return (
              <li key={t.name}>
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="tables" value={name} defaultChecked={pickedTables ? pickedTables.includes(name) : true} />
                  <span>{t.name}</span>
                  <span className="text-xs text-zinc-500">{formatCount(t.rows)} rows</span>
                </label>
              </li>
            );
          })}
        </ul>
      </details>
    </li>
  );
}

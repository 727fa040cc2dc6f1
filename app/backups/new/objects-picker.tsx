import { useState } from 'react';
import type { ServerObjects } from '@/lib/runs/servers.ts';
import type { FormValues } from '../../_components/sent-back.ts';
import { cardClass, FieldError } from '../../_components/ui.tsx';
import { formatBytes, formatCount } from '../../_lib/format.ts';

type Database = ServerObjects['databases'][number];

/** Which databases to back up whole, or which of their tables: the server's objects with their sizes. */
export function ObjectsPicker({ objects, sent }: { objects: ServerObjects | null; sent: FormValues }) {
  // A database ticked whole disables its table boxes: the dump takes all of them.
  const [wholeDbs, setWholeDbs] = useState<Set<string>>(() => new Set(sent.list('databases') ?? []));
  const pickedTables = sent.list('tables') ?? [];
  const setWhole = (name: string, whole: boolean) =>
    setWholeDbs((prev) => {
      const next = new Set(prev);
      if (whole) next.add(name);
      else next.delete(name);
      return next;
    });
  const { errors } = sent;

  return (
    <fieldset className={cardClass} aria-describedby={errors.databases ? 'backup-databases-error' : undefined}>
      <legend className="px-1 text-sm font-medium">Databases and tables</legend>
      {!objects ? (
        <p className="text-sm text-zinc-500">The server’s databases could not be listed.</p>
      ) : objects.databases.length === 0 ? (
        <p className="text-sm text-zinc-500">This server has no databases besides the system ones.</p>
      ) : (
        <ul className="space-y-3">
          {objects.databases.map((db) => (
            <DatabaseChoice key={db.name} db={db} whole={wholeDbs.has(db.name)} onWholeChange={(whole) => setWhole(db.name, whole)} pickedTables={pickedTables} />
          ))}
        </ul>
      )}
      <FieldError id="backup-databases-error" errors={errors.databases ?? errors.tables} />
    </fieldset>
  );
}

/** One database: a box for all of it, and its tables to pick from when it is not taken whole. */
function DatabaseChoice({ db, whole, onWholeChange, pickedTables }: { db: Database; whole: boolean; onWholeChange: (whole: boolean) => void; pickedTables: string[] }) {
  const rows = db.tables.reduce((a, t) => a + t.rowsEstimate, 0);
  const bytes = db.tables.reduce((a, t) => a + t.bytesEstimate, 0);
  return (
    <li>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="databases" value={db.name} checked={whole} onChange={(e) => onWholeChange(e.target.checked)} />
        <span className="font-medium">{db.name}</span>
        <span className="text-xs text-zinc-500">
          {db.tables.length} tables · about {formatCount(rows)} rows · {formatBytes(bytes)}
        </span>
      </label>
      {db.tables.length > 0 ? (
        <details className="ml-6 mt-1">
          <summary className="cursor-pointer text-xs text-zinc-500">Pick tables of {db.name}</summary>
          <ul className="mt-1 grid gap-1 sm:grid-cols-2">
            {db.tables.map((t) => (
              <li key={t.name}>
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="tables" value={`${db.name}.${t.name}`} disabled={whole} defaultChecked={pickedTables.includes(`${db.name}.${t.name}`)} />
                  <span>{t.name}</span>
                  <span className="text-xs text-zinc-500">~{formatCount(t.rowsEstimate)} rows</span>
                </label>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}

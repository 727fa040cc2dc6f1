import type { Manifest } from '@/lib/core/manifest.ts';
import { EncryptedBadge } from '../../../_components/encryption.tsx';
import { cardClass, secondaryButtonClass } from '../../../_components/ui.tsx';
import { formatBytes, formatCount } from '../../../_lib/format.ts';

const VERDICT: Record<string, string> = {
  instance: 'Consistent: one point in time',
  database: 'Consistent within each database',
  table: 'Consistent within each table',
  'chunk-set': 'Consistent within each snapshot (the run was resumed)',
  none: 'Not consistent: no locks were taken',
};

/** How the verdict was reached, in words (manifests before issue 23 have no method). */
const METHOD: Record<NonNullable<Manifest['consistency']['method']>, string> = {
  'commit-block': 'commits blocked while the snapshots opened',
  'table-locks': 'tables locked while read',
  'snapshot-position': "without a lock: every worker's snapshot saw the same binlog position",
  'position-unchanged': 'without a lock: the binlog position did not move while the snapshots opened',
  none: 'no locks, nothing proved',
};

function heading(c: Manifest['consistency']): string {
  if (c.mode === 'lockless' && !c.consistent && c.consistentWithin === 'none') return 'Not consistent: commits fell between the snapshots';
  return VERDICT[c.consistentWithin] ?? c.consistentWithin;
}

/** The head of the manifest: how consistent the dump is, from where, how much, and its downloads. */
export function ConsistencySummary({ manifest, runId }: { manifest: Manifest; runId: string }) {
  const c = manifest.consistency;
  return (
    <section aria-labelledby="consistency" className={`${cardClass} mb-6`}>
      <h2 id="consistency" className="text-lg font-medium">
        {heading(c)}
        {manifest.encryption ? <EncryptedBadge keyId={manifest.encryption.keyId} /> : null}
      </h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{c.note}</p>
      {c.method ? <p className="mt-1 text-xs text-zinc-500">How: {METHOD[c.method]}{c.reason ? ` · why not one point in time: ${c.reason}` : ''}</p> : null}
      <dl className="mt-3 grid gap-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-zinc-500">Binlog coordinates</dt>
          <BinlogCoordinates consistency={c} />
        </div>
        <div>
          <dt className="text-xs text-zinc-500">GTID</dt>
          <dd className="font-mono break-all">{c.gtid ?? 'none'}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Source</dt>
          <dd>
            {manifest.source.flavor} {manifest.source.version} at {manifest.source.host}:{manifest.source.port}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Totals</dt>
          <dd>
            {manifest.totals.tables} tables · {formatCount(manifest.totals.chunks)} chunks · {formatCount(manifest.totals.rows)} rows · {formatBytes(manifest.totals.bytes)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Data files</dt>
          <dd>
            {manifest.options.format === 'tsv' ? 'TSV (LOAD DATA; the target needs local_infile)' : 'SQL (INSERT statements)'} · {manifest.options.compress === 'none' ? 'uncompressed' : manifest.options.compress}
          </dd>
        </div>
      </dl>
      {manifest.resumedAt.length ? <p className="mt-2 text-xs text-zinc-500">Resumed {manifest.resumedAt.length} time(s): {c.snapshots.length} snapshots.</p> : null}
      <ManifestDownloads runId={runId} />
    </section>
  );
}

/** One position for the whole dump, else each snapshot's (a resumed dump has several). */
function BinlogCoordinates({ consistency: c }: { consistency: Manifest['consistency'] }) {
  if (c.binlog) {
    return (
      <dd className="font-mono">
        {c.binlog.file}:{c.binlog.position}
      </dd>
    );
  }
  if (!c.snapshots.some((s) => s.binlog)) return <dd>none</dd>;
  return c.snapshots.map((s) => (
    <dd key={s.id} className="font-mono text-xs">
      snapshot {s.id}: {s.binlog ? `${s.binlog.file}:${s.binlog.position}` : 'none'}
    </dd>
  ));
}

function ManifestDownloads({ runId }: { runId: string }) {
  return (
    <div className="mt-4 flex flex-wrap gap-2">
      <a href={`/api/runs/${runId}/manifest`} download className={secondaryButtonClass}>
        Download manifest.json
      </a>
      <a href={`/api/runs/${runId}/restore-kit`} download className={secondaryButtonClass}>
        Download restore kit
      </a>
      <a href={`/api/runs/${runId}/summary`} download className={secondaryButtonClass}>
        Download summary
      </a>
    </div>
  );
}

import type { ColumnInfo } from '../core/column-kind.ts';
import { discoverDatabase, type TableInfo } from '../mysql/discover.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import type { ChunkRecord, TableRecord } from '../core/manifest.ts';
import { openReader } from '../mysql/open-reader.ts';
import { describeRange } from '../core/range-sql.ts';
import { hashRangeContent } from './hash-range.ts';
import { recordedContentHash } from '../core/content-hash.ts';
import type { Session } from '../mysql/session.ts';
import { parseServerUri, redactUri, withTls } from '../mysql/uri.ts';
import { checkDumpFiles, type FileProblem } from './check-files.ts';
import type { MismatchedRange, TableVerification, VerifyEvent, VerifyEventListener } from './events.ts';
import { parseOptions } from '../core/parse-options.ts';
import { VerifyOptions, type VerifyOptionsInput } from './options.ts';
import { keyForManifest, readManifest } from './read-manifest.ts';
import { selectFromManifest, type SelectedTable } from './select.ts';

export interface VerifyReport {
  ok: boolean;
  mode: 'files' | 'target';
  tables: TableVerification[];
  /** Schema and object files that are missing (files mode). */
  files: FileProblem[];
  chunks: number;
  mismatched: number;
  durationMs: number;
}

export interface VerifyControls {
  onEvent?: VerifyEventListener;
  signal?: AbortSignal;
}

/**
 * Checks a dump against its manifest. Without a target: every file's size and sha256. With a target:
 * for every chunk, the same key range read from the target hashes to the manifest's content hash (`contentXxh3`, or `contentSha256` before version 5)
 * with the same row count (computed exactly as the dump computed it). A difference is not an error:
 * the report names each mismatching chunk and its key range, and `ok` is false.
 */
export async function verify(input: VerifyOptionsInput, controls: VerifyControls = {}): Promise<VerifyReport> {
  const emit: VerifyEventListener = (e) => controls.onEvent?.(e);
  const signal = controls.signal;
  const tick = performance.now();
  const sessions: Session[] = [];
  try {
    const options = parseOptions(VerifyOptions, input);
    const { dir, manifest, key } = await readManifestAndKey(options);
    const selection = selectFromManifest({ manifest, rename: options.rename, databases: options.databases, tables: options.tables, chunks: options.chunks, objects: true });
    const chunkCount = selection.tables.reduce((a, t) => a + t.chunks.length, 0);
    const bytes = selection.tables.reduce((a, t) => a + t.chunks.reduce((b, c) => b + c.bytes, 0), 0);
    const results = new Map<SelectedTable, TableVerification>(
      selection.tables.map((t) => [t, { database: t.record.database, table: t.record.table, targetDatabase: t.targetDatabase, chunks: t.chunks.length, ok: 0, mismatched: [] }]),
    );
    const record = (t: SelectedTable, chunk: ChunkRecord, mismatch: MismatchedRange | null, rows: number) => {
      const r = results.get(t)!;
      if (mismatch) r.mismatched.push(mismatch);
      else r.ok++;
      emit({ type: 'chunk-verified', database: t.record.database, table: t.record.table, index: chunk.index, ok: mismatch === null, rows, bytes: chunk.bytes, ...(mismatch ? { mismatch } : {}) });
    };

    let files: FileProblem[] = [];
    let mode: VerifyReport['mode'];
    if (!options.target) {
      mode = 'files';
      emit({ type: 'run-started', at: new Date().toISOString(), mode, target: null, tables: selection.tables.length, chunks: chunkCount, bytes });
      const byRecord = new Map(selection.tables.map((t) => [t.record, t]));
      const check = await checkDumpFiles({
        dir,
        plainFiles: [...selection.databases.flatMap((d) => [d.record.schemaFile, ...d.sequences.map((o) => o.file), ...d.objects.map((o) => o.file)]), ...selection.tables.map((t) => t.record.schemaFile)],
        chunks: selection.tables.flatMap((t) => t.chunks.map((chunk) => ({ table: t.record, chunk }))),
        hash: true, key,
        threads: options.threads,
        signal,
        onChunk: ({ table, chunk, problem }) => {
          const t = byRecord.get(table)!;
          record(t, chunk, problem ? mismatchOf(t.record, chunk, problem.problem === 'missing' ? 'missing' : 'file', null, fileDetail(problem)) : null, chunk.rows);
        },
      });
      files = check.problems.filter((p) => !p.chunk);
    } else {
      mode = 'target';
      const address = withTls(parseServerUri(options.target), options.tls);
      emit({ type: 'run-started', at: new Date().toISOString(), mode, target: redactUri(address), tables: selection.tables.length, chunks: chunkCount, bytes });
      const first = await openReader(address, `connecting to the target ${redactUri(address)}`);
      sessions.push(first);
      // The target's own column metadata: the values are encoded the way the target stores them.
      const infos = new Map<string, Map<string, TableInfo>>();
      for (const db of selection.databases) {
        const info = await discoverDatabase(first, db.targetDatabase, false).catch((error: unknown) => {
          throw fromDriverError(error, `reading the tables of ${db.targetDatabase} on the target`);
        });
        infos.set(db.targetDatabase, new Map(info.tables.map((t) => [t.name, t])));
      }
      const tasks: { t: SelectedTable; chunk: ChunkRecord; columns: ColumnInfo[] }[] = [];
      for (const t of selection.tables) {
        const info = infos.get(t.targetDatabase)?.get(t.record.table);
        const problem = info ? missingColumns(t.record, info) : `table ${t.targetDatabase}.${t.record.table} does not exist on the target`;
        if (problem !== null || !info) {
          for (const chunk of t.chunks) record(t, chunk, mismatchOf(t.record, chunk, 'missing', null, problem ?? undefined), 0);
          continue;
        }
        const byName = new Map(info.columns.map((c) => [c.name, c]));
        const columns = t.record.columns.map((n) => byName.get(n)!);
        for (const chunk of t.chunks) tasks.push({ t, chunk, columns });
      }
      const readerCount = Math.max(1, Math.min(options.threads, tasks.length));
      while (sessions.length < readerCount) sessions.push(await openReader(address, `connecting to the target ${redactUri(address)}`));
      let next = 0;
      await Promise.all(
        sessions.map(async (session) => {
          for (;;) {
            signal?.throwIfAborted();
            const task = tasks[next++];
            if (!task) return;
            const { t, chunk, columns } = task;
            const spec = {
              database: t.targetDatabase,
              table: t.record.table,
              columns,
              keyColumns: t.record.chunkKeyColumns,
              forceIndex: t.record.chunkIndex === 'PRIMARY' ? null : t.record.chunkIndex,
              lower: chunk.lower,
              upper: chunk.upper,
            };
            let got: { rows: number; content: string };
            try {
              got = await hashRangeContent({ session, spec, format: manifest.options.format, algorithm: recordedContentHash(chunk).algorithm, ...(signal ? { signal } : {}) });
            } catch (error) {
              if (signal?.aborted) throw error;
              record(t, chunk, mismatchOf(t.record, chunk, 'missing', null, fromDriverError(error, 'reading the range').message), 0);
              continue;
            }
            if (got.rows !== chunk.rows) record(t, chunk, mismatchOf(t.record, chunk, 'rows', got.rows), got.rows);
            else if (got.content !== recordedContentHash(chunk).hex) record(t, chunk, mismatchOf(t.record, chunk, 'content', got.rows), got.rows);
            else record(t, chunk, null, got.rows);
          }
        }),
      );
    }

    const tables = [...results.values()];
    for (const r of tables) {
      r.mismatched.sort((a, b) => a.index - b.index);
      emit({ type: 'table-verified', result: r });
    }
    const mismatched = tables.reduce((a, r) => a + r.mismatched.length, 0);
    const ok = mismatched === 0 && files.length === 0;
    const durationMs = Math.round(performance.now() - tick);
    emit({ type: 'run-finished', at: new Date().toISOString(), ok, tables: tables.length, chunks: chunkCount, mismatched, durationMs });
    return { ok, mode, tables, files, chunks: chunkCount, mismatched, durationMs };
  } catch (error) {
    const failure = signal?.aborted
      ? new ParadumpError('ABORTED', 'verify was cancelled', { cause: error })
      : isParadumpError(error)
        ? error
        : fromDriverError(error, 'verifying');
    emit({ type: 'run-failed', at: new Date().toISOString(), code: failure.code, message: failure.message });
    throw failure;
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => s.destroy())));
  }
}

function missingColumns(record: TableRecord, info: TableInfo): string | null {
  const names = new Set(info.columns.map((c) => c.name));
  const missing = record.columns.filter((c) => !names.has(c));
  return missing.length ? `the target table lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : null;
}

function mismatchOf(record: TableRecord, chunk: ChunkRecord, reason: MismatchedRange['reason'], actualRows: number | null, detail?: string): MismatchedRange {
  return {
    index: chunk.index,
    lower: chunk.lower,
    upper: chunk.upper,
    range: describeRange(record.chunkKeyColumns, chunk.lower, chunk.upper),
    expectedRows: chunk.rows,
    actualRows,
    reason,
    ...(detail ? { detail } : {}),
  };
}

/** The manifest, and an encrypted dump's key checked against it (KEY_REQUIRED, KEY_MISMATCH) before any file is read. */
async function readManifestAndKey(options: VerifyOptions) {
  const loaded = await readManifest(options.from, options.storage);
  return { ...loaded, key: await keyForManifest(loaded.manifest, options.decryption, loaded.dir) };
}

function fileDetail(p: FileProblem): string {
  if (p.problem === 'missing') return `${p.file} is missing`;
  if (p.problem === 'size') return `${p.file} has ${p.actual} bytes, expected ${p.expected}`;
  if (p.problem === 'decrypt') return `${p.file} fails its authentication: it cannot be decrypted with the key`;
  return `${p.file} sha256 ${String(p.actual).slice(0, 12)}…, expected ${String(p.expected).slice(0, 12)}…`;
}

export type { VerifyEvent };

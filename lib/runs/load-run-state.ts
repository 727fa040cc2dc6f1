import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KeyValue, MANIFEST_FILE } from '../engine/manifest.ts';
import { getPrisma } from '../store/prisma.ts';
import { MAX_LOG, MAX_SAMPLES } from './apply-delta.ts';
import { RunError } from './errors.ts';
import { getLiveRun } from './registry.ts';
import { PitrView, RunState, StoredDumpOptions, StoredRestoreOptions, VerificationView } from './schemas.ts';

const KeyList = z.array(KeyValue).nullable();
const parseKey = (text: string | null) => (text === null ? null : KeyList.parse(JSON.parse(text)));

/** A run's state as the store has it (a finished run, or one a restart interrupted). */
export async function loadRunState({ id }: { id: string }): Promise<RunState> {
  const prisma = getPrisma();
  // No nested include of tables' chunks: Prisma reads those with one bound parameter per table
  // (P2029 past a few thousand tables). Each read below has a fixed number of parameters.
  const run = await prisma.run.findUnique({
    where: { id },
    include: {
      server: { select: { id: true, name: true } },
      locks: { orderBy: { requestedAt: 'asc' } },
      snapshots: { orderBy: { snapshotId: 'asc' } },
    },
  });
  if (!run) throw new RunError('RUN_NOT_FOUND', `no run ${id}`);
  const [tables, chunksByTable, logs, samples] = await Promise.all([
    prisma.runTable.findMany({ where: { runId: id } }),
    loadChunksByTable({ runId: id }),
    prisma.runLog.findMany({ where: { runId: id }, orderBy: { id: 'desc' }, take: MAX_LOG }),
    prisma.runSample.findMany({ where: { runId: id }, orderBy: { id: 'desc' }, take: MAX_SAMPLES }),
  ]);
  const rawOptions: unknown = JSON.parse(run.options || '{}');
  const options = run.kind === 'dump' ? StoredDumpOptions.safeParse(rawOptions) : null;
  const restoreOptions = run.kind === 'restore' ? StoredRestoreOptions.safeParse(rawOptions) : null;
  const pitr = run.pitr ? PitrView.safeParse(JSON.parse(run.pitr)) : null;
  return RunState.parse({
    id: run.id,
    kind: run.kind,
    status: run.status,
    attempt: run.attempt,
    server: run.server,
    sourceVersion: run.sourceVersion,
    outDir: run.outDir,
    options: options?.success ? options.data : null,
    databases: z.array(z.string()).catch([]).parse(JSON.parse(run.databases || '[]')),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '' } : null,
    estimate: run.rowsEstimate > 0n || run.tablesTotal > 0 ? { rows: Number(run.rowsEstimate), bytes: Number(run.bytesEstimate), tables: run.tablesTotal } : null,
    tables: tables
      .sort((a, b) => a.database.localeCompare(b.database) || a.table.localeCompare(b.table))
      .map((t) => ({
        database: t.database,
        table: t.table,
        targetDatabase: t.targetDatabase,
        chunkKey: JSON.parse(t.chunkKey) as unknown,
        rowsEstimate: Number(t.rowsEstimate),
        bytesEstimate: Number(t.bytesEstimate),
        status: t.status,
        skip: t.skipCode ? { code: t.skipCode, reason: t.skipReason ?? '' } : null,
        chunks: (chunksByTable.get(t.id) ?? []).map((c) => ({
          index: c.index,
          lower: parseKey(c.lower),
          upper: parseKey(c.upper),
          // A chunk that was running when its run stopped was not written: it is to do again.
          state: c.state === 'running' && run.status !== 'running' ? 'pending' : c.state,
          rows: c.state === 'running' && run.status !== 'running' ? 0 : Number(c.rows),
          bytes: Number(c.bytes),
          sha256: c.sha256,
          durationMs: c.durationMs,
          worker: c.worker,
        })),
      })),
    locks: run.locks.map((l) => ({
      key: `${l.attempt}:${l.lockId}`,
      attempt: l.attempt,
      scope: l.scope,
      target: l.target,
      statement: l.statement,
      blocks: l.blocks,
      requestedAt: l.requestedAt.toISOString(),
      acquiredAt: l.acquiredAt?.toISOString() ?? null,
      releasedAt: l.releasedAt?.toISOString() ?? null,
      waitMs: l.waitMs,
      holdMs: l.holdMs,
    })),
    snapshots: run.snapshots.map((s) => ({
      snapshotId: s.snapshotId,
      attempt: s.attempt,
      scope: s.scope,
      target: s.target,
      openedAt: s.openedAt.toISOString(),
      binlog: s.binlogFile !== null && s.binlogPos !== null ? { file: s.binlogFile, position: Number(s.binlogPos) } : null,
      gtid: s.gtid,
    })),
    log: logs.reverse().map((e) => ({ at: e.at.toISOString(), level: e.level, code: e.code, message: e.message, database: e.database, table: e.table })),
    samples: samples.reverse().map((s) => ({ t: s.at.getTime(), rows: Number(s.rows), bytes: Number(s.bytes) })),
    hasManifest: run.kind === 'dump' && existsSync(path.join(run.outDir, MANIFEST_FILE)),
    sourceRunId: run.sourceRunId,
    restoreOptions: restoreOptions?.success ? restoreOptions.data : null,
    verification: tables.flatMap((t) =>
      t.verifyChunks === null
        ? []
        : [
            VerificationView.parse({
              database: t.database,
              table: t.table,
              targetDatabase: t.targetDatabase ?? t.database,
              chunks: t.verifyChunks,
              ok: t.verifyOk ?? 0,
              mismatched: JSON.parse(t.verifyMismatches ?? '[]') as unknown,
            }),
          ],
    ),
    pitr: pitr?.success ? settlePitr(pitr.data, run.status) : null,
  });
}

type ChunkRow = Awaited<ReturnType<ReturnType<typeof getPrisma>['runChunk']['findMany']>>[number];

/** Every chunk of a run, grouped by table id and in index order: one query, filtered through the table's run. */
async function loadChunksByTable({ runId }: { runId: string }): Promise<Map<string, ChunkRow[]>> {
  const rows = await getPrisma().runChunk.findMany({ where: { table: { runId } }, orderBy: [{ tableId: 'asc' }, { index: 'asc' }] });
  const byTable = new Map<string, ChunkRow[]>();
  for (const row of rows) {
    let list = byTable.get(row.tableId);
    if (!list) byTable.set(row.tableId, (list = []));
    list.push(row);
  }
  return byTable;
}

/** A roll forward the stopped run left `running` or `waiting` did not finish: say how it ended. */
function settlePitr(view: PitrView, status: string): PitrView {
  if (status === 'running' || (view.status !== 'running' && view.status !== 'waiting')) return view;
  const ended = status === 'interrupted' ? 'interrupted' : status === 'cancelled' ? 'cancelled' : view.status === 'waiting' ? 'skipped' : 'failed';
  return { ...view, status: ended, reason: view.status === 'waiting' ? 'The restore stopped before the load finished.' : view.reason };
}

/** The state the run page starts from, and the event id its stream continues after (null: not live). */
export async function getRunView({ id }: { id: string }): Promise<{ state: RunState; eventId: string | null }> {
  const live = getLiveRun(id);
  if (live && !live.ended) return { state: RunState.parse(live.state), eventId: live.eventId };
  return { state: await loadRunState({ id }), eventId: null };
}

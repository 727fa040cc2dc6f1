import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isParadumpError, ParadumpError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { writePlanLog } from '../plans/plan-log.ts';
import { restore } from '../restore/restore.ts';
import { verify } from '../restore/verify.ts';
import { confineDumpDir } from '../runs/dump-root.ts';
import { readRunManifest } from '../runs/read-run-manifest.ts';
import { getPrisma } from '../store/prisma.ts';
import { drillDatabaseName, type DrillPolicy } from './drill-schema.ts';
import type { CheckResult, DrillView, FailedChunk, RollForward } from './drill-store.ts';
import { refuseRollForward, rollForwardDrill } from './roll-forward.ts';
import { dropDrillDatabases, openDrillTarget, refuseTakenNames, type OpenTarget } from './drill-target.ts';
import { runChecks } from './run-checks.ts';

export type DrillTrigger = 'schedule' | 'backups' | 'manual';

export interface DrillHooks {
  /** Test hook: after the restore, before the verify (a test changes the copy here, as a faulty restore would). */
  afterRestore?: (copy: { address: OpenTarget['address']; rename: Record<string, string> }) => Promise<void>;
}

/** What a drill measured; written to its record whatever the outcome. */
interface Figures {
  restoreMs?: number;
  verifyMs?: number;
  checksMs?: number;
  recoveryPoint?: Date;
  rows?: number;
  bytes?: number;
  chunks?: number;
  checks?: CheckResult[];
  rollForward?: RollForward;
}

/** The plan's newest good backup that retention has not touched, or null. */
export async function newestGoodBackup({ planId }: { planId: string }): Promise<{ id: string; finishedAt: Date | null } | null> {
  return getPrisma().run.findFirst({ where: { planId, kind: 'dump', status: 'succeeded', deleteState: null }, orderBy: { finishedAt: 'desc' }, select: { id: true, finishedAt: true } });
}

/** The backup's recovery point: when its (earliest) snapshot was opened, else when it started. */
export function recoveryPointOf(manifest: Manifest): Date {
  const opened = manifest.consistency.snapshots.map((s) => Date.parse(s.openedAt)).filter((t) => Number.isFinite(t));
  return new Date(opened.length ? Math.min(...opened) : Date.parse(manifest.startedAt));
}

/** Creates the drill's record, naming the backup it reads: from then on retention keeps that backup. */
export async function createDrillRecord({ planId, trigger, status = 'running' }: { planId: string; trigger: DrillTrigger; status?: 'queued' | 'running' }): Promise<{ id: string; sourceRunId: string | null }> {
  const backup = await newestGoodBackup({ planId });
  const row = await getPrisma().drill.create({ data: { planId, trigger, status, sourceRunId: backup?.id ?? null, heartbeatAt: status === 'running' ? new Date() : null }, select: { id: true, sourceRunId: true } });
  return row;
}

/**
 * One drill, start to end, on a record made by createDrillRecord: restores the backup into the
 * target under prefixed names, verifies every chunk against the manifest, runs the checks, then
 * drops what it created and stops the throwaway server it started. Resolves with the outcome (a
 * failed drill is a result, not a rejection); the record holds the figures and the failure.
 */
export async function runDrill({ drillId, policy, signal, hooks }: { drillId: string; policy: DrillPolicy; signal?: AbortSignal; hooks?: DrillHooks }): Promise<{ status: DrillView['status']; error: ParadumpError | null; failedChunk: FailedChunk | null }> {
  const prisma = getPrisma();
  const drill = await prisma.drill.findUniqueOrThrow({ where: { id: drillId }, select: { planId: true, sourceRunId: true, startedAt: true } });
  const figures: Figures = {};
  let target: OpenTarget | null = null;
  let created: string[] = [];
  let leftovers: string[] = [];
  const stateDir = await mkdtemp(path.join(tmpdir(), 'paradump-drill-'));
  let error: ParadumpError | null = null;
  try {
    if (!drill.sourceRunId) throw new ParadumpError('NO_BACKUP_TO_DRILL', 'the plan has no good backup to restore');
    // Retention may have chosen it between the choice and the record: the record protects it only from now on.
    const source = await prisma.run.findUnique({ where: { id: drill.sourceRunId }, select: { deleteState: true } });
    if (source?.deleteState) throw new ParadumpError('NO_BACKUP_TO_DRILL', `backup ${drill.sourceRunId} was deleted by retention as the drill started`);
    const { manifest, outDir: recorded, serverId: sourceServerId } = await readRunManifest({ id: drill.sourceRunId });
    const from = await confineDumpDir({ requested: recorded, field: 'sourceRunId' });
    const rename = Object.fromEntries(manifest.databases.map((d) => [d.name, drillDatabaseName({ prefix: policy.prefix, database: d.name })]));
    const names = Object.values(rename);
    const tooLong = names.find((n) => n.length > 64);
    if (tooLong) throw new ParadumpError('BAD_OPTION', `prefix: the drill's name ${tooLong} is longer than 64 characters`, { details: { path: 'prefix' } });
    figures.recoveryPoint = recoveryPointOf(manifest);
    if (policy.rollForward) refuseRollForward({ manifest, sourceServerId });

    signal?.throwIfAborted();
    target = await openDrillTarget({ choice: policy.target });
    await prisma.drill.update({ where: { id: drillId }, data: { target: JSON.stringify(target.record) } });
    const { hasRecoveryDatabase } = await refuseTakenNames({ address: target.address, names });
    target.record.newRecoveryDatabase = policy.rollForward && !hasRecoveryDatabase;
    // Recorded before anything is created, so a crash leaves a record of what to drop.
    created = names;
    await prisma.drill.update({ where: { id: drillId }, data: { databases: JSON.stringify(created), target: JSON.stringify(target.record) } });

    // Events DISABLED: on a target whose event_scheduler is ON, an event of the copy could otherwise
    // fire during the drill, and its body may write to any database of the target.
    const restored = await restore({ from, target: target.uri, tls: target.tls, rename, threads: policy.threads, stateDir, disableEvents: true }, { signal });
    Object.assign(figures, { restoreMs: restored.durationMs, rows: restored.rows, bytes: restored.bytes, chunks: restored.chunks });
    await prisma.drill.update({ where: { id: drillId }, data: { restoreMs: restored.durationMs, rows: restored.rows, bytes: restored.bytes, chunks: restored.chunks } });

    await hooks?.afterRestore?.({ address: target.address, rename });
    const report = await verify({ from, target: target.uri, tls: target.tls, rename, threads: policy.threads }, { signal });
    figures.verifyMs = report.durationMs;
    refuseMismatches(report);

    // After the verify: the replayed transactions are what makes the copy differ from the manifest.
    if (policy.rollForward && sourceServerId) {
      figures.rollForward = await rollForwardDrill({ from, sourceServerId, target, rename, startedAt: drill.startedAt, signal });
      if (figures.rollForward.last?.at) figures.recoveryPoint = new Date(figures.rollForward.last.at);
    }

    const checksTick = performance.now();
    figures.checks = await runChecks({ address: target.address, checks: policy.checks, rename, defaultDatabase: manifest.databases[0]?.name ?? '', signal });
    figures.checksMs = Math.round(performance.now() - checksTick);
    const failed = figures.checks.find((c) => !c.ok);
    if (failed) throw new ParadumpError('DRILL_CHECK_FAILED', `check “${failed.name}” failed: ${failed.error ?? 'unexpected result'}`, { details: { check: failed } });
  } catch (caught) {
    error = signal?.aborted ? new ParadumpError('ABORTED', 'the drill was cancelled', { cause: caught }) : isParadumpError(caught) ? caught : new ParadumpError('INTERNAL', (caught as Error).message ?? String(caught), { cause: caught });
  } finally {
    if (target) leftovers = await dropDrillDatabases({ address: target.address, names: created, newRecoveryDatabase: target.record.newRecoveryDatabase });
    await target?.release().catch((e: unknown) => leftovers.push(`the throwaway server (PID ${target?.record.pid}): ${(e as Error).message}`));
    await rm(stateDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return finishDrill({ drillId, planId: drill.planId, figures, error, leftovers });
}

/** The first chunk the verify found different from the manifest fails the drill, naming it and its key range. */
function refuseMismatches(report: Awaited<ReturnType<typeof verify>>): void {
  const bad = report.tables.flatMap((t) => t.mismatched.map((m) => ({ t, m })))[0];
  if (!bad) return;
  const chunk: FailedChunk = { database: bad.t.database, table: bad.t.table, index: bad.m.index, file: null, range: bad.m.range };
  throw new ParadumpError('DRILL_VERIFY_FAILED', `${report.mismatched} of ${report.chunks} chunks differ from the manifest; first: chunk ${chunk.index} of ${chunk.database}.${chunk.table} (${bad.m.range}): ${bad.m.reason}, ${bad.m.actualRows ?? 0} rows read back, ${bad.m.expectedRows} expected${bad.m.detail ? ` (${bad.m.detail})` : ''}`, { details: { chunk } });
}

/** The chunk a restore's refusal names (a damaged file), if it names one. */
function chunkOfError(error: ParadumpError): FailedChunk | null {
  if (error.details.chunk) return error.details.chunk as FailedChunk;
  const problems = error.details.problems as { file: string; chunk?: { database: string; table: string; index: number } }[] | undefined;
  const first = problems?.find((p) => p.chunk);
  return first?.chunk ? { ...first.chunk, file: first.file, range: null } : null;
}

async function finishDrill({ drillId, planId, figures, error, leftovers }: { drillId: string; planId: string; figures: Figures; error: ParadumpError | null; leftovers: string[] }): Promise<{ status: DrillView['status']; error: ParadumpError | null; failedChunk: FailedChunk | null }> {
  let status: DrillView['status'] = !error ? 'succeeded' : error.code === 'ABORTED' ? 'cancelled' : 'failed';
  const failedChunk = error ? chunkOfError(error) : null;
  // Conditional: a drill another process declared interrupted (this one looked dead) keeps that record.
  const written = await getPrisma().drill.updateMany({
    where: { id: drillId, status: 'running' },
    data: {
      status,
      finishedAt: new Date(),
      restoreMs: figures.restoreMs ?? null,
      verifyMs: figures.verifyMs ?? null,
      checksMs: figures.checksMs ?? null,
      recoveryPoint: figures.recoveryPoint ?? null,
      ...(figures.rows !== undefined ? { rows: figures.rows, bytes: figures.bytes ?? 0, chunks: figures.chunks ?? 0 } : {}),
      checks: JSON.stringify(figures.checks ?? []),
      rollForward: figures.rollForward ? JSON.stringify(figures.rollForward) : null,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      failedChunk: failedChunk ? JSON.stringify(failedChunk) : null,
      leftovers: leftovers.length ? leftovers.join('; ') : null,
    },
  });
  if (written.count === 0) status = 'interrupted';
  const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${Math.round(ms / 100) / 10} s`);
  await writePlanLog({
    planId,
    kind: 'drill',
    level: status === 'succeeded' ? 'info' : status === 'cancelled' ? 'warning' : 'error',
    code: error?.code ?? null,
    message: status === 'succeeded' ? `Restore drill ${drillId} succeeded: restored in ${seconds(figures.restoreMs)}, verified in ${seconds(figures.verifyMs)}${figures.rollForward ? `, rolled forward ${figures.rollForward.transactions} transaction(s) in ${seconds(figures.rollForward.durationMs)}` : ''}, ${figures.checks?.length ?? 0} check(s) passed` : status === 'interrupted' ? `Restore drill ${drillId} ended after another process had declared it interrupted: ${error?.message ?? 'its outcome is not recorded'}` : `Restore drill ${drillId} ${status}: ${error?.message ?? ''}`,
  });
  if (leftovers.length) await writePlanLog({ planId, kind: 'drill', level: 'error', code: null, message: `Restore drill ${drillId} could not clean up: ${leftovers.join('; ')}` });
  return { status, error, failedChunk };
}

import path from 'node:path';
import { z } from 'zod';
import { badOption, ParadumpError, isParadumpError } from '../core/errors.ts';
import { checkThreadsRunningLimit, MaxRate } from '../core/dump-options.ts';
import { parseServerUri } from '../mysql/uri.ts';
import { parseOptions } from '../core/parse-options.ts';
import { PitrOptions, RestoreOptions, type PitrOptionsInput } from '../restore/options.ts';
import { planPitr, pitr } from '../restore/pitr.ts';
import { restore } from '../restore/restore.ts';
import { RestoreJournal } from '../restore/restore-journal.ts';
import { readRestoreProgress } from '../restore/restore-attempt.ts';
import { selectFromManifest } from '../restore/select.ts';
import { verify } from '../restore/verify.ts';
import { keyForManifest, readManifest } from '../restore/read-manifest.ts';
import type { S3Settings } from '../storage/settings.ts';
import { resolveCopySource } from './copy-source.ts';
import type { Manifest } from '../core/manifest.ts';
import { confineDumpDir, dumpRoot } from './dump-root.ts';
import { getPrisma } from '../store/prisma.ts';
import { log } from './dump-deltas.ts';
import { loadRunState } from './load-run-state.ts';
import { pitrEventToDeltas, waitingPitr } from './pitr-deltas.ts';
import { pitrAvailability, PitrTargetInput, type PitrTarget } from './pitr-target.ts';
import { readRunManifest } from './read-run-manifest.ts';
import { attemptOf, claimRun } from './run-attempt.ts';
import { registerAttemptHandler, runExecutor, type Attempt, type AttemptContext } from './run-executor.ts';
import { addLiveRun, LiveRun, removeLiveRun } from './registry.ts';
import { restoreEventToDeltas, verifyEventToDeltas } from './restore-deltas.ts';
import { PitrView, StoredRestoreOptions, type RunDelta, type RunState, type StoredPitr, type TableView } from './schemas.ts';
import { serverAddress } from './servers.ts';
import { ThrottleFields } from './start-dump.ts';

const DatabaseName = z
  .string()
  .trim()
  .min(1, { error: 'Enter a database name' })
  .max(64, { error: 'At most 64 characters' })
  .regex(/^[^/\\.\s`]+$/, { error: 'No dots, slashes, backticks or spaces' });

/** The restore form, as the server action hands it over. */
export const StartRestoreInput = z.object({
  sourceRunId: z.string().min(1),
  targetServerId: z.string().min(1, { error: 'Pick the server to restore into' }),
  /** Target name per dumped database (same name = no rename). */
  rename: z.record(z.string(), DatabaseName).default({}),
  /** Source `db.table` names; empty = everything in the dump (with views, routines, triggers, events). */
  tables: z.array(z.string().regex(/^[^.]+\..+$/)).default([]),
  threads: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 64' }).max(64, { error: 'From 1 to 64' }).default(4),
  verify: z.boolean().default(true),
  dropExisting: z.boolean().default(false),
  deferIndexes: z.boolean().default(true),
  loadMethod: z.enum(['auto', 'insert', 'load-data'], { error: 'Pick how rows are loaded' }).default('auto'),
  /** Create the dump's users and roles with their grants (the engine's `users`). */
  users: z.boolean().default(false),
  /** Leave accounts the target has as they are, instead of refusing. */
  skipExistingUsers: z.boolean().default(false),
  /** Roll forward with the source's binary log after loading; null: no. */
  pitr: PitrTargetInput.default(null),
  /** An encrypted dump's key file, a path on this server (read by the restore; the key is never stored). */
  decryptKeyFile: z
    .string()
    .trim()
    .max(4096, { error: 'At most 4096 characters' })
    .refine((p) => p === '' || path.isAbsolute(p), { error: 'An absolute path on the server, e.g. /etc/paradump/backup.key' })
    .transform((p) => (p === '' ? undefined : p))
    .optional(),
  /** Read from this verified copy of the backup (a RunCopy id); empty: the backup itself. */
  sourceCopyId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  /** Throttling against the target, as for a dump. */
  ...ThrottleFields.shape,
});
export type StartRestoreInput = z.input<typeof StartRestoreInput>;

/** Where the restore journal lives: the engine's default, named so a resume finds the same one. */
const journalDir = (outDir: string) => path.join(outDir, '.paradump-restore');

/** What a restore reads: the backup's own folder, or a verified copy (a bucket prefix, another disk). */
interface RestoreSource {
  from: string;
  storage?: S3Settings;
  /** The journal: beside the backup's own files; for a copy, a folder of its own under the dump root. */
  stateDir: string;
  manifest: Manifest;
}

/** The backup of run `sourceRunId` or its copy `sourceCopyId`, its manifest read from there (checked as the engine checks it). */
async function restoreSource({ sourceRunId, sourceCopyId, recorded }: { sourceRunId: string; sourceCopyId?: string | undefined; recorded?: string }): Promise<RestoreSource> {
  if (!sourceCopyId) {
    const requested = recorded ?? (await readRunManifest({ id: sourceRunId })).outDir;
    // Only dumps inside the dump root are restored from, whatever a run row says.
    const from = await confineDumpDir({ requested, field: 'sourceRunId' });
    const { manifest } = await readManifest(from);
    return { from, stateDir: journalDir(from), manifest };
  }
  const copy = await resolveCopySource({ runId: sourceRunId, copyId: sourceCopyId });
  const { manifest } = await readManifest(copy.from, copy.storage);
  return { from: copy.from, ...(copy.storage ? { storage: copy.storage } : {}), stateDir: path.join(dumpRoot(), '.paradump-restore-copies', sourceCopyId), manifest };
}

/** Everything one attempt of a restore run needs: the engine's inputs (with credentials), never stored. */
interface RestorePlan {
  restoreInput: z.input<typeof RestoreOptions> & { from: string; target: string; rename: Record<string, string>; tables: string[]; threads: number; stateDir: string };
  /** The target databases (after renames), for the journal's place. */
  targetDatabases: string[];
  verify: boolean;
  pitrInput: PitrOptionsInput | null;
}

/**
 * Restores a finished dump run into a saved server as a new `restore` run, in the background: the
 * same live page (the chunk map fills in as chunks load), then a verification per table, then (when
 * asked) the roll forward with the source's binary log.
 */
export async function startRestore(
  input: Omit<z.output<typeof StartRestoreInput>, 'pitr' | 'deferIndexes' | 'loadMethod' | 'users' | 'skipExistingUsers' | 'maxRate' | 'sourceCopyId'> & { pitr?: PitrTarget | null; deferIndexes?: boolean; loadMethod?: z.output<typeof StartRestoreInput>['loadMethod']; users?: boolean; skipExistingUsers?: boolean; maxRate?: string | undefined; sourceCopyId?: string | undefined },
): Promise<{ id: string; finished: Promise<void> }> {
  const sourceRun = await getPrisma().run.findUnique({ where: { id: input.sourceRunId }, select: { server: { select: { id: true, name: true } } } });
  if (!sourceRun) throw new ParadumpError('RUN_NOT_FOUND', `no run ${input.sourceRunId}`);
  const sourceServerId = sourceRun.server?.id ?? null;
  const sourceServerName = sourceRun.server?.name ?? null;
  const source = await restoreSource({ sourceRunId: input.sourceRunId, sourceCopyId: input.sourceCopyId });
  const { manifest, from: outDir } = source;
  const { server } = await serverAddress({ id: input.targetServerId });
  const rename = Object.fromEntries(Object.entries(input.rename).filter(([from, to]) => to !== from));
  const everything = manifest.tables.filter((t) => !t.skipped).map((t) => `${t.database}.${t.table}`);
  const tables = input.tables.length === 0 || everything.every((t) => input.tables.includes(t)) ? [] : input.tables;
  const selection = selectFromManifest({ manifest, rename, databases: [], tables, objects: tables.length === 0 });

  let pitrOptions: StoredPitr | null = null;
  if (input.pitr) {
    const availability = pitrAvailability({ manifest, sourceServer: sourceServerId && sourceServerName ? { name: sourceServerName } : null });
    if (!availability.available) throw new ParadumpError('BAD_OPTION', availability.reason, { details: { path: 'pitr' } });
    // The binary log replays whole databases: every table of a database it touches must be restored.
    const partial = selection.databases.find((d) => everything.some((t) => t.startsWith(`${d.record.name}.`) && tables.length > 0 && !tables.includes(t)));
    if (partial) {
      throw new ParadumpError('BAD_OPTION', `Rolling forward replays whole databases: tick every table of ${partial.record.name}, or restore without rolling forward`, { details: { path: 'pitr' } });
    }
    pitrOptions = { ...input.pitr, sourceServerId: sourceServerId!, databases: tables.length === 0 ? [] : selection.databases.map((d) => d.record.name), noBinlog: false };
  }
  // The key before anything is saved: missing, unreadable or another key are the key field's errors.
  await checkRestoreKey(manifest, input.decryptKeyFile, outDir);
  const options = StoredRestoreOptions.parse({ rename, tables, threads: input.threads, verify: input.verify, dropExisting: input.dropExisting, deferIndexes: input.deferIndexes ?? true, loadMethod: input.loadMethod ?? 'auto', users: input.users ?? false, skipExistingUsers: input.skipExistingUsers ?? false, pitr: pitrOptions, ...throttleOf(input), ...(input.decryptKeyFile ? { decryptKeyFile: input.decryptKeyFile } : {}), ...(input.sourceCopyId ? { sourceCopyId: input.sourceCopyId } : {}) });
  const plan = await planRestore({ source, targetServerId: server.id, targetDatabases: selection.databases.map((d) => d.targetDatabase), options });
  if (options.pitr && plan.pitrInput) options.pitr.noBinlog = plan.pitrInput.noBinlog ?? false;
  // Refusals (unknown names, bad options) before anything is saved: they are form errors.
  const checked = RestoreOptions.safeParse(plan.restoreInput);
  if (!checked.success) throw new ParadumpError('BAD_OPTION', checked.error.issues[0]?.message ?? 'invalid restore options');
  if (plan.pitrInput) {
    // The engine's own refusals of the stop point (before the dump, not logged yet, purged binlogs,
    // no tools) before anything is loaded: a stop point it refuses is a field error.
    try {
      await planPitr(parseOptions(PitrOptions, { ...plan.pitrInput, dryRun: true }));
    } catch (error) {
      if (isParadumpError(error, 'BAD_OPTION')) throw new ParadumpError('BAD_OPTION', error.message, { details: { ...error.details, path: 'pitr.value' }, cause: error });
      throw error;
    }
  }

  const run = await getPrisma().run.create({
    data: {
      kind: 'restore',
      status: 'queued',
      attempt: 0,
      options: JSON.stringify(options),
      outDir,
      serverId: server.id,
      sourceRunId: input.sourceRunId,
      databases: JSON.stringify(selection.databases.map((d) => d.targetDatabase)),
      sourceVersion: `${manifest.source.flavor} ${manifest.source.version}`,
      pitr: options.pitr ? JSON.stringify(waitingPitr()) : null,
    },
    select: { id: true },
  });
  // In this process it is running when this returns; with workers, queued for one (lib/runs/run-executor.ts).
  const { finished } = await runExecutor()
    .submit({ kind: 'restore', id: run.id, serverId: server.id, attempt: 0 })
    .catch(async (error: unknown) => {
      const code = isParadumpError(error) ? error.code : 'INTERNAL';
      await getPrisma().run.updateMany({ where: { id: run.id, status: 'queued', attempt: 0 }, data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorMessage: error instanceof Error ? error.message : String(error) } });
      throw error;
    });
  return { id: run.id, finished };
}

/** The restore's chunk map before anything loads: every chunk of the selected tables, pending. */
function plannedTables({ manifest, options }: { manifest: Manifest; options: StoredRestoreOptions }): RunDelta[] {
  const selection = selectFromManifest({ manifest, rename: options.rename, databases: [], tables: options.tables, objects: options.tables.length === 0 });
  const deltas: RunDelta[] = selection.tables.map((t) => {
    const table: TableView = {
      database: t.record.database,
      table: t.record.table,
      targetDatabase: t.targetDatabase,
      chunkKey: t.record.chunkKey,
      rowsEstimate: t.record.rows,
      bytesEstimate: t.record.bytes,
      status: 'planned',
      skip: null,
      chunks: t.chunks.map((c) => ({ index: c.index, lower: c.lower, upper: c.upper, state: 'pending', rows: 0, bytes: 0, sha256: c.sha256, durationMs: null, worker: null })),
    };
    return { type: 'table', table };
  });
  deltas.push({ type: 'estimate', rows: selection.tables.reduce((a, t) => a + t.record.rows, 0), bytes: selection.tables.reduce((a, t) => a + t.record.bytes, 0), tables: selection.tables.length });
  return deltas;
}

const RESUME_WORDS: Record<LoadMode, string> = {
  resume: 'chunks already loaded are kept, the one in flight is loaded again',
  rolling: 'the load was verified and the roll forward had begun; continuing it from where the target records it stopped',
  loaded: 'the load had finished; verifying and rolling forward as asked',
  fresh: 'nothing had been loaded; loading from the start',
};

/**
 * One attempt of a restore run, in this process (the dashboard's or a worker's): claimed, then the
 * engine. The first loads from the start; a later one (Resume, a handed-back or stalled job)
 * continues on the same target with the same options: the engine's resume keeps the chunks its
 * journal has, reloads the key range of the one in flight and finishes the rest; then verification
 * and the roll forward, as asked.
 */
export async function startRestoreAttempt({ id }: { id: string }, context: AttemptContext): Promise<Attempt> {
  const prisma = getPrisma();
  const row = await prisma.run.findUnique({ where: { id }, select: { outDir: true, options: true, databases: true, pitr: true, sourceRunId: true } });
  if (!row) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  const claimed = await claimRun({ id, context });
  try {
    const options = StoredRestoreOptions.parse(JSON.parse(row.options));
    if (!row.sourceRunId && options.sourceCopyId) throw new ParadumpError('NOT_RESUMABLE', `run ${id}'s backup is no longer recorded, so its copy cannot be found`);
    // A copy is looked up again (its target's credentials opened anew) at each attempt.
    const source = await restoreSource({ sourceRunId: row.sourceRunId ?? '', sourceCopyId: options.sourceCopyId, recorded: row.outDir });
    const targetDatabases = z.array(z.string()).parse(JSON.parse(row.databases));
    const plan = await planRestore({ source, targetServerId: claimed.serverId, targetDatabases, options });
    // Where the last attempt got to, from the engine's own journal and attempt file: nothing begun
    // (an older restore's finished journal is not this run's), unfinished, or loaded — and, loaded,
    // whether the roll forward had begun (it continues from the target's progress row).
    const progress = claimed.attempt > 1 ? await readRestoreProgress(RestoreJournal.locate(plan.restoreInput.stateDir, parseServerUri(plan.restoreInput.target), targetDatabases)) : { kind: 'none' as const };
    const rolling = row.pitr ? PitrView.safeParse(JSON.parse(row.pitr)).data?.replayStarted === true : false;
    const mode: LoadMode = progress.kind === 'finished' ? (rolling ? 'rolling' : 'loaded') : progress.kind === 'unfinished' ? 'resume' : 'fresh';
    if (options.pitr && claimed.attempt > 1) await prisma.run.updateMany({ where: { id, attempt: claimed.attempt }, data: { pitr: JSON.stringify(waitingPitr()) } });
    const state = await loadRunState({ id });
    // The first attempt (or one whose predecessor stopped before its first write) lays out the chunk map.
    const planned = state.tables.length === 0 ? plannedTables({ manifest: source.manifest, options }) : [];
    const live = new LiveRun({ state, knownTables: state.tables.map((t) => `${t.database}\u0000${t.table}`) });
    addLiveRun(live);
    live.start();
    for (const delta of planned) live.publish(delta);
    const where = context.worker ? ` on ${context.worker}` : '';
    if (claimed.attempt > 1) live.publish(log(new Date().toISOString(), 'info', null, `Resumed (attempt ${claimed.attempt}${where}): ${RESUME_WORDS[mode]}`));
    else if (context.worker) live.publish(log(new Date().toISOString(), 'info', null, `Started${where}`));
    void runRestore({ live, plan, mode });
    return attemptOf(live);
  } catch (error) {
    // Claimed but not started (the target or the dump gone): recorded, not left `running`.
    const code = isParadumpError(error) ? error.code : 'INTERNAL';
    await prisma.run.updateMany({ where: { id, status: 'running', attempt: claimed.attempt }, data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorMessage: error instanceof Error ? error.message : String(error) } });
    throw error;
  }
}

registerAttemptHandler('restore', startRestoreAttempt);

/** The form's throttle fields in the engine's units, refused (at their field) before anything is saved. */
function throttleOf(input: { threads: number; maxRate?: string | undefined; maxThreadsRunning?: number | undefined }): { maxRate?: number; maxThreadsRunning?: number } {
  const rate = input.maxRate === undefined ? undefined : MaxRate.safeParse(input.maxRate);
  if (rate && !rate.success) {
    const problem = (rate.error.issues[0]?.message ?? 'must be bytes per second').replace(/^maxRate m/, 'M');
    throw badOption('maxRate', problem);
  }
  checkThreadsRunningLimit({ threads: input.threads, maxThreadsRunning: input.maxThreadsRunning });
  return { ...(rate ? { maxRate: rate.data } : {}), ...(input.maxThreadsRunning !== undefined ? { maxThreadsRunning: input.maxThreadsRunning } : {}) };
}

/** Target and source addresses (with credentials) and the engine's inputs of one attempt. */
async function checkRestoreKey(manifest: Manifest, keyFile: string | undefined, outDir: string): Promise<void> {
  try {
    await keyForManifest(manifest, keyFile ? { keyFile } : undefined, outDir);
  } catch (error) {
    if (isParadumpError(error, 'KEY_REQUIRED') || isParadumpError(error, 'KEY_MISMATCH') || isParadumpError(error, 'KEY_FILE_INVALID')) {
      throw new ParadumpError(error.code, error.message, { details: { ...error.details, path: 'decryptKeyFile' }, cause: error });
    }
    throw error;
  }
}

async function planRestore({ source, targetServerId, targetDatabases, options }: { source: RestoreSource; targetServerId: string; targetDatabases: string[]; options: StoredRestoreOptions }): Promise<RestorePlan> {
  const { uri, address } = await serverAddress({ id: targetServerId });
  const storage = source.storage ? { storage: source.storage } : {};
  const restoreInput: RestorePlan['restoreInput'] = { from: source.from, ...storage, target: uri, tls: address.tls, rename: options.rename, tables: options.tables, threads: options.threads, dropExisting: options.dropExisting, deferIndexes: options.deferIndexes, loadMethod: options.loadMethod, users: options.users, skipExistingUsers: options.skipExistingUsers, maxRate: options.maxRate, maxThreadsRunning: options.maxThreadsRunning, stateDir: source.stateDir, ...(options.decryptKeyFile ? { decryption: { keyFile: options.decryptKeyFile } } : {}) };
  let pitrInput: PitrOptionsInput | null = null;
  if (options.pitr) {
    const binlogSource = await serverAddress({ id: options.pitr.sourceServerId });
    // Into the server it was read from the engine leaves its binary log alone (binlog: 'auto').
    pitrInput = { from: source.from, ...storage, source: binlogSource.uri, sourceTls: binlogSource.address.tls, target: uri, targetTls: address.tls, until: options.pitr.until, rename: options.rename, databases: options.pitr.databases, noBinlog: options.pitr.noBinlog };
  }
  return { restoreInput, targetDatabases, verify: options.verify, pitrInput };
}

/**
 * fresh: a new load; resume: continue the journal's; loaded: the journal says the load finished;
 * rolling: loaded, verified, and the roll forward began (it continues with the engine's pitr resume).
 */
type LoadMode = 'fresh' | 'resume' | 'loaded' | 'rolling';

async function runRestore({ live, plan, mode }: { live: LiveRun; plan: RestorePlan; mode: LoadMode }): Promise<void> {
  const signal = live.controller.signal;
  const publishAll = (deltas: Iterable<Parameters<LiveRun['publish']>[0]>) => {
    for (const d of deltas) live.publish(d);
  };
  const setPitr = (changes: Partial<PitrView>) => {
    if (live.state.pitr) live.publish({ type: 'pitr', pitr: { ...live.state.pitr, ...changes } });
  };
  let status: RunState['status'] = 'succeeded';
  let error: { code: string; message: string } | null = null;
  try {
    if (mode !== 'loaded' && mode !== 'rolling') {
      const input = mode === 'resume' ? { ...plan.restoreInput, resume: true, dropExisting: false } : plan.restoreInput;
      await restore(input, { signal, onEvent: (event) => publishAll(restoreEventToDeltas({ state: live.live, event })) });
    }
    // Rows already rolled forward differ from the backup by design: verification was done before.
    if (plan.verify && mode !== 'rolling') {
      const { restoreInput: r } = plan;
      const report = await verify({ from: r.from, storage: r.storage, target: r.target, tls: r.tls, rename: r.rename, tables: r.tables, threads: r.threads, decryption: r.decryption }, { signal, onEvent: (event) => publishAll(verifyEventToDeltas({ event })) });
      if (!report.ok) {
        status = 'failed';
        error = { code: 'VERIFY_MISMATCH', message: `${report.mismatched} of ${report.chunks} chunks differ from the dump` };
      }
    }
    if (plan.pitrInput && live.state.pitr) {
      if (status === 'failed') {
        setPitr({ status: 'skipped', reason: 'Verification failed: rolling forward onto rows that differ from the backup would not give the source’s state.' });
      } else {
        setPitr({ status: 'running', startedAt: new Date().toISOString(), finishedAt: null, error: null, reason: null });
        await pitr({ ...plan.pitrInput, resume: mode === 'rolling' }, { signal, onEvent: (event) => publishAll(pitrEventToDeltas({ view: live.state.pitr!, event })) });
      }
    }
  } catch (failure) {
    if (isParadumpError(failure, 'ABORTED') && live.handedBack) {
      status = 'interrupted';
      error = { code: 'HANDED_BACK', message: 'the worker was asked to stop and handed the run back to the queue' };
    } else if (isParadumpError(failure, 'ABORTED')) {
      status = 'cancelled';
      error = { code: 'ABORTED', message: failure.message };
    } else if (isParadumpError(failure)) {
      status = 'failed';
      error = { code: failure.code, message: failure.message };
    } else {
      console.error(`paradump: restore run ${live.runId} failed unexpectedly`, failure);
      status = 'failed';
      error = { code: 'INTERNAL', message: failure instanceof Error ? failure.message : String(failure) };
      live.publish(log(new Date().toISOString(), 'error', 'INTERNAL', error.message));
    }
  }
  // A roll forward that never began says why; one that failed outside the engine's events says how.
  const view = live.state.pitr;
  if (view?.status === 'waiting') {
    setPitr({ status: 'skipped', reason: status === 'cancelled' ? 'The restore was cancelled before the roll forward: Resume finishes the load, then rolls forward.' : 'The load did not finish: Resume finishes it, then rolls forward.' });
  } else if (view?.status === 'running') {
    setPitr({ status: status === 'cancelled' ? 'cancelled' : 'failed', error, finishedAt: new Date().toISOString() });
  }
  try {
    live.sample();
    live.publish({ type: 'status', status, attempt: live.state.attempt, error, finishedAt: new Date().toISOString(), hasManifest: false });
    await live.end();
  } catch (storeError) {
    console.error(`paradump: could not record the end of run ${live.runId}`, storeError);
  } finally {
    removeLiveRun(live);
    // end() failed before settling: whoever waits on `finished` must still learn the run is over.
    if (!live.ended) live.abandon();
  }
}

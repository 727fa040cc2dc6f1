import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STATE_FILE } from '../core/dump-state.ts';
import { REQUEST_FILE } from '../core/dump-request-file.ts';
import { ParadumpError } from '../core/errors.ts';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { defaultWorkDir } from '../storage/location.ts';
import { openTarget } from '../storage/open-target.ts';
import type { StorageTarget } from '../storage/target.ts';
import { JOURNAL_FILE } from './journal.ts';
import type { DumpOptions } from './options.ts';

/**
 * Where a dump goes. Every file of the backup (schema, data, the manifest last) is written through
 * `target`; what only a resume needs (the request, the plan, the fsynced journal) is kept in
 * `workDir`: the dump directory itself for a local dump, a local folder of its own for object
 * storage (S3 cannot append or fsync).
 */
export interface DumpOutput {
  target: StorageTarget;
  workDir: string;
}

/** Files a dump writes before its plan (dump-state.json) exists: nothing worth keeping yet. */
export const BEFORE_PLAN = new Set(['schema', 'data', 'accounts', JOURNAL_FILE, `${STATE_FILE}.partial`, REQUEST_FILE, `${REQUEST_FILE}.partial`, '.write-test']);

export function openOutput(options: Pick<DumpOptions, 'outDir' | 'storage' | 'threads'>): DumpOutput {
  // One upload slot per worker: a worker whose part is in flight fills the next one meanwhile.
  const storage = { ...options.storage, uploadConcurrency: options.storage?.uploadConcurrency ?? options.threads };
  return { target: openTarget(options.outDir, storage), workDir: defaultWorkDir(options.outDir) };
}

/**
 * Before a new dump: the target is reachable and writable and holds nothing (OUTPUT_NOT_EMPTY,
 * `details.reason` HOLDS_BACKUP when a finished backup is there). Nothing is ever overwritten.
 */
export async function prepareOutput(out: DumpOutput): Promise<void> {
  if (!out.target.remote) return prepareOutputDir(out.workDir);
  await out.target.prepare();
  // The target is empty, so whatever a work folder holds is of a dump that no longer exists.
  await rm(out.workDir, { recursive: true, force: true });
  await mkdir(out.workDir, { recursive: true });
}

/** After the manifest is stored: a remote dump's work folder has served its purpose. */
export async function finishOutput(out: DumpOutput): Promise<void> {
  if (out.target.remote) await rm(out.workDir, { recursive: true, force: true });
}

/**
 * Before a resume: the entries of the work folder. Refuses a dump that is already finished, and one
 * whose work folder is gone (a local directory that does not exist; for object storage, a resume on
 * another machine than the one that started the dump).
 */
export async function openForResume(out: DumpOutput): Promise<string[]> {
  const { target, workDir } = out;
  await target.prepareResume();
  if (await target.holdsBackup()) throw new ParadumpError('NOTHING_TO_RESUME', `the dump in ${target.location} is already complete (it has a ${MANIFEST_FILE}); nothing to resume`, { details: { reason: 'ALREADY_FINISHED', outDir: target.location } });
  const entries = await readdir(workDir).catch(() => null);
  if (entries) return entries;
  if (!target.remote) throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume: ${workDir} does not exist`, { details: { reason: 'NO_DIRECTORY', outDir: workDir } });
  throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume: ${target.location} has no local work folder (${workDir}) on this machine; resume where the dump was started, or run a new dump to another prefix`, {
    details: { reason: 'NO_WORK_DIR', outDir: target.location, workDir },
  });
}

/** A resume of a dump killed before its plan: everything but the request goes, it starts over. */
export async function clearBeforePlan(out: DumpOutput, entries: readonly string[]): Promise<void> {
  for (const e of entries) if (e !== REQUEST_FILE) await rm(path.join(out.workDir, e), { recursive: true, force: true });
  if (!out.target.remote) return;
  await out.target.abortUnfinished();
  await out.target.delete((await out.target.list()).map((f) => f.file));
}

/** Removes every data file a resume does not keep (partial, unverified) and unfinished uploads. */
export async function dropUnkept(out: DumpOutput, keep: ReadonlySet<string>): Promise<void> {
  await out.target.abortUnfinished();
  const stored = await out.target.list('data');
  await out.target.delete(stored.map((f) => f.file).filter((f) => !keep.has(f)));
}

/** Whether a journaled file is stored exactly as journaled (a resume keeps it then). */
export async function fileMatches(target: StorageTarget, file: string, bytes: number, sha256: string): Promise<boolean> {
  try {
    return await target.matches(file, bytes, sha256);
  } catch (error) {
    // A store that cannot be asked fails the resume; a local file that cannot be read is redone.
    if (target.remote) throw error;
    return false;
  }
}

async function prepareOutputDir(outDir: string): Promise<void> {
  try {
    const entries = await readdir(outDir);
    // A dump of ours that stopped before its plan (a refused login, a kill in its first second) left
    // only its request and schema files: a new dump may take the directory over.
    const oursAlone = entries.includes(REQUEST_FILE) || entries.every((e) => e === '.write-test' || e === `${REQUEST_FILE}.partial`);
    if (entries.length > 0 && oursAlone && entries.every((e) => BEFORE_PLAN.has(e))) {
      for (const e of entries) await rm(path.join(outDir, e), { recursive: true, force: true });
      entries.length = 0;
    }
    if (entries.length > 0) {
      const holds = entries.includes(MANIFEST_FILE);
      const why = holds ? `already holds a backup (it has a ${MANIFEST_FILE}); choose another directory` : `is not empty (${entries.length} entries); choose an empty or new directory, or --resume an interrupted dump`;
      throw new ParadumpError('OUTPUT_NOT_EMPTY', `output directory ${outDir} ${why}`, { details: { reason: holds ? 'HOLDS_BACKUP' : 'NOT_EMPTY', location: outDir } });
    }
  } catch (error) {
    if (error instanceof ParadumpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ParadumpError('OUTPUT_UNWRITABLE', `output path ${outDir} is a file, not a directory`);
    if (code !== 'ENOENT') throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot read output directory ${outDir} (${code})`, { cause: error });
  }
  try {
    await mkdir(outDir, { recursive: true });
    const probe = path.join(outDir, '.write-test');
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new ParadumpError('DISK_FULL', `no space left in ${outDir}`, { cause: error });
    throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot write to output directory ${outDir} (${code ?? 'error'})`, { cause: error });
  }
}

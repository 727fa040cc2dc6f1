import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/write-file-atomic.ts';
import { RestoreJournal, RestorePlanRecord, type JournalState } from './restore-journal.ts';

/**
 * What the latest restore into a target was asked, written (temp + fsync + rename) beside its journal
 * before it connects. Its `begin` journal line carries the same id: an attempt whose id no `begin`
 * names was stopped before it changed anything, whatever older restore the journal describes.
 */
export const RESTORE_ATTEMPT_FILE = 'restore-attempt.json';

export const RestoreAttempt = z.object({
  id: z.string(),
  at: z.string(),
  plan: RestorePlanRecord,
  /** Asked to replace what exists: a resume of this attempt replaces it too. */
  dropExisting: z.boolean(),
});
export type RestoreAttempt = z.infer<typeof RestoreAttempt>;

export async function writeRestoreAttempt(journalFile: string, attempt: RestoreAttempt): Promise<void> {
  try {
    await writeFileAtomic(path.dirname(journalFile), RESTORE_ATTEMPT_FILE, JSON.stringify(RestoreAttempt.parse(attempt), null, 2) + '\n');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot write the restore's state in ${path.dirname(journalFile)} (${code ?? 'error'}); choose another place with --state-dir`, { cause: error });
  }
}

async function readRestoreAttempt(journalFile: string): Promise<RestoreAttempt | null> {
  const file = path.join(path.dirname(journalFile), RESTORE_ATTEMPT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // written atomically: unreadable means damaged, handled below
  }
  const parsed = RestoreAttempt.safeParse(json);
  if (!parsed.success) throw new ParadumpError('MANIFEST_INVALID', `${file} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { details: { reason: 'JOURNAL_DAMAGED' } });
  return parsed.data;
}

/**
 * Where the latest restore into a target got to:
 * - `none`: no restore was started with this state directory;
 * - `not-begun`: the latest was stopped before its `begin` line, so nothing of it was applied
 *   (the journal, if any, is an older restore's);
 * - `unfinished`: it began and did not finish (a resume continues it);
 * - `finished`: it finished.
 */
export type RestoreProgress =
  | { kind: 'none' }
  | { kind: 'not-begun'; attempt: RestoreAttempt; journal: JournalState | null }
  | { kind: 'unfinished'; journal: JournalState; attempt: RestoreAttempt | null }
  | { kind: 'finished'; journal: JournalState };

export async function readRestoreProgress(journalFile: string): Promise<RestoreProgress> {
  const journal = await RestoreJournal.read(journalFile);
  const attempt = await readRestoreAttempt(journalFile);
  const began = journal?.plan ? journal : null;
  // A journal older than the attempt file has no id: the attempt came after it.
  if (attempt && began?.attempt !== attempt.id) return { kind: 'not-begun', attempt, journal: began };
  if (!began) return { kind: 'none' };
  if (began.finished) return { kind: 'finished', journal: began };
  return { kind: 'unfinished', journal: began, attempt };
}

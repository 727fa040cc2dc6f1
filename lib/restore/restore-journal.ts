import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';

export const RESTORE_JOURNAL_FILE = 'restore-journal.ndjson';

/** What a restore promises to do: a resume must promise the same. */
export const RestorePlanRecord = z.object({
  manifestSha256: z.string(),
  target: z.string(),
  rename: z.record(z.string(), z.string()),
  databases: z.array(z.string()),
  tables: z.array(z.string()),
  chunks: z.unknown().optional(),
  deferIndexes: z.boolean(),
  objects: z.boolean(),
  /** Accounts applied (absent in journals of restores without them). */
  users: z.boolean().optional(),
  /** Events created disabled (absent in journals of restores without it). */
  disableEvents: z.boolean().optional(),
});
export type RestorePlanRecord = z.infer<typeof RestorePlanRecord>;

export const RestoreJournalEntry = z.discriminatedUnion('type', [
  /** `attempt`: the id in restore-attempt.json of the run that began (journals before it had none). */
  z.object({ type: z.literal('begin'), at: z.string(), plan: RestorePlanRecord, attempt: z.string().optional() }),
  /** Connection ids of a run's loaders: a resume kills any that are still running statements. */
  z.object({ type: z.literal('connections'), at: z.string(), threadIds: z.array(z.number()) }),
  z.object({ type: z.literal('database'), database: z.string(), targetDatabase: z.string() }),
  z.object({ type: z.literal('table-creating'), database: z.string(), table: z.string() }),
  z.object({ type: z.literal('table-created'), database: z.string(), table: z.string(), deferred: z.array(z.string()) }),
  z.object({ type: z.literal('chunk'), database: z.string(), table: z.string(), index: z.number(), rows: z.number(), bytes: z.number() }),
  z.object({ type: z.literal('indexes'), database: z.string(), table: z.string() }),
  z.object({ type: z.literal('object-creating'), database: z.string(), objectType: z.string(), name: z.string() }),
  z.object({ type: z.literal('object'), database: z.string(), objectType: z.string(), name: z.string() }),
  /** An account (`user@host`) this restore created: a resume does not take it for an existing one. */
  z.object({ type: z.literal('account'), account: z.string() }),
  z.object({ type: z.literal('finished'), at: z.string() }),
]);
export type RestoreJournalEntry = z.infer<typeof RestoreJournalEntry>;

const k = (...parts: (string | number)[]) => parts.join('\u0000');

/** What the journal says has been done. */
export class JournalState {
  plan: RestorePlanRecord | null = null;
  beganAt: string | null = null;
  attempt: string | null = null;
  finished = false;
  finishedAt: string | null = null;
  readonly threadIds = new Set<number>();
  readonly databases = new Set<string>();
  readonly creating = new Set<string>();
  readonly created = new Map<string, string[]>();
  readonly chunks = new Set<string>();
  readonly indexes = new Set<string>();
  readonly objectsCreating = new Set<string>();
  readonly objects = new Set<string>();
  readonly accounts = new Set<string>();

  apply(e: RestoreJournalEntry): void {
    switch (e.type) {
      case 'begin':
        this.plan = e.plan;
        this.beganAt = e.at;
        this.attempt = e.attempt ?? null;
        break;
      case 'connections':
        for (const id of e.threadIds) this.threadIds.add(id);
        break;
      case 'database':
        this.databases.add(e.targetDatabase);
        break;
      case 'table-creating':
        this.creating.add(k(e.database, e.table));
        break;
      case 'table-created':
        this.created.set(k(e.database, e.table), e.deferred);
        break;
      case 'chunk':
        this.chunks.add(k(e.database, e.table, e.index));
        break;
      case 'indexes':
        this.indexes.add(k(e.database, e.table));
        break;
      case 'object-creating':
        this.objectsCreating.add(k(e.database, e.objectType, e.name));
        break;
      case 'object':
        this.objects.add(k(e.database, e.objectType, e.name));
        break;
      case 'account':
        this.accounts.add(e.account);
        break;
      case 'finished':
        this.finished = true;
        this.finishedAt = e.at;
        break;
    }
  }

  isTableCreating(db: string, table: string): boolean {
    return this.creating.has(k(db, table));
  }
  deferredOf(db: string, table: string): string[] | undefined {
    return this.created.get(k(db, table));
  }
  isChunkDone(db: string, table: string, index: number): boolean {
    return this.chunks.has(k(db, table, index));
  }
  areIndexesDone(db: string, table: string): boolean {
    return this.indexes.has(k(db, table));
  }
  isObjectCreating(db: string, type: string, name: string): boolean {
    return this.objectsCreating.has(k(db, type, name));
  }
  isObjectDone(db: string, type: string, name: string): boolean {
    return this.objects.has(k(db, type, name));
  }
}

/**
 * The restore's progress on disk, one JSON line per step, synced before the step counts as done, so
 * a restore killed at any point (kill -9 included) knows on resume what is certainly in the target.
 * One journal per target server and set of target databases.
 */
export class RestoreJournal {
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  /** The journal file for a target (host:port and target databases), under `stateDir`. */
  static locate(stateDir: string, target: { host: string; port: number; socketPath?: string }, targetDatabases: readonly string[]): string {
    const key = createHash('sha256')
      .update(JSON.stringify([target.socketPath ?? `${target.host}:${target.port}`, [...targetDatabases].sort()]))
      .digest('hex')
      .slice(0, 16);
    const host = (target.socketPath ? 'socket' : `${target.host}_${target.port}`).replace(/[^A-Za-z0-9_.-]/g, '_');
    return path.join(stateDir, `${host}-${key}`, RESTORE_JOURNAL_FILE);
  }

  /** Reads a journal; a torn last line (a crash mid-write) is ignored. Null if there is none. */
  static async read(file: string): Promise<JournalState | null> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot read the restore journal ${file} (${(error as NodeJS.ErrnoException).code})`, { cause: error });
    }
    const state = new JournalState();
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let entry: RestoreJournalEntry;
      try {
        entry = RestoreJournalEntry.parse(JSON.parse(line));
      } catch (error) {
        if (i >= lines.length - 2) return; // torn final write
        throw new ParadumpError('MANIFEST_INVALID', `the restore journal ${file} is damaged at line ${i + 1}`, { details: { reason: 'JOURNAL_DAMAGED' }, cause: error });
      }
      state.apply(entry);
    });
    return state;
  }

  /** Opens for appending; `fresh` first moves an old journal aside (kept for the record). */
  static async open(file: string, { fresh }: { fresh: boolean }): Promise<RestoreJournal> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      if (fresh) {
        await rename(file, `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.old`).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
      return new RestoreJournal(file, await open(file, 'a'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ParadumpError('OUTPUT_UNWRITABLE', `cannot write the restore journal ${file} (${code ?? 'error'}); choose another place with --state-dir`, { cause: error });
    }
  }

  async append(entry: RestoreJournalEntry): Promise<void> {
    await this.fh.write(JSON.stringify(entry) + '\n');
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

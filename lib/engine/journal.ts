import { open, readFile, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { insideDir } from '../core/write-file-atomic.ts';
import { ChunkRecord, LockRecord, SnapshotRecord } from '../core/manifest.ts';

export const JOURNAL_FILE = 'journal.ndjson';

export const JournalEntry = z.discriminatedUnion('type', [
  ChunkRecord.extend({ type: z.literal('chunk'), database: z.string(), table: z.string() }),
  z.object({ type: z.literal('skip'), database: z.string(), table: z.string(), code: z.string(), reason: z.string() }),
  SnapshotRecord.extend({ type: z.literal('snapshot') }),
  z.object({ type: z.literal('lock'), lock: LockRecord }),
  z.object({ type: z.literal('resume'), at: z.string() }),
]);
export type JournalEntry = z.infer<typeof JournalEntry>;

/**
 * Appends one line per event that resume needs — a finished chunk, a skipped table, an opened
 * snapshot, a released lock — synced before the chunk counts as done, so a dump killed at any point
 * can tell which files are complete. Appends that arrive while a sync is running are written and
 * synced together by the next one (group commit): each still resolves only once its line is durable.
 */
export class Journal {
  private queue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(private readonly fh: FileHandle) {}

  static async open(outDir: string): Promise<Journal> {
    return new Journal(await open(insideDir(outDir, JOURNAL_FILE), 'a'));
  }

  append(entry: JournalEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(entry) + '\n', resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Several lines in one write + fdatasync (a group of chunks); resolves once all are durable. */
  appendAll(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ line: entries.map((e) => JSON.stringify(e) + '\n').join(''), resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.fh.write(batch.map((b) => b.line).join(''));
        await this.fh.datasync();
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.fh.close();
  }
}

/** Reads the journal; a torn last line (the process was killed mid-write) is ignored. */
export async function readJournal(outDir: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(insideDir(outDir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JournalEntry.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // torn write
    }
  }
  return entries;
}

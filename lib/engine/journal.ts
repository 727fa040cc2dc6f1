import { open, type FileHandle } from 'node:fs/promises';
import { insideDir } from './write-file-atomic.ts';
import type { ChunkRecord } from './manifest.ts';

export const JOURNAL_FILE = 'journal.ndjson';

export type JournalEntry = { type: 'chunk'; database: string; table: string } & ChunkRecord;

/**
 * Appends one line per finished chunk, synced before the chunk counts as done, so a dump killed at
 * any point can tell which files are complete.
 */
export class Journal {
  private constructor(private readonly fh: FileHandle) {}

  static async open(outDir: string): Promise<Journal> {
    return new Journal(await open(insideDir(outDir, JOURNAL_FILE), 'a'));
  }

  async append(entry: JournalEntry): Promise<void> {
    await this.fh.write(JSON.stringify(entry) + '\n');
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ParadumpError } from '../core/errors.ts';
import { MANIFEST_FILE } from '../core/manifest.ts';
import { insideDir, writeFileAtomic } from '../core/write-file-atomic.ts';
import { Folders, LocalFileWriter } from './local-file-writer.ts';
import type { FileWriter, StorageTarget, StoredFile } from './target.ts';

/** A backup in a local directory. */
export class LocalTarget implements StorageTarget {
  readonly remote = false;
  private readonly folders = new Folders();
  constructor(readonly location: string) {}

  private full(file: string): string {
    return insideDir(this.location, file);
  }

  async prepareResume(): Promise<void> {
    await stat(this.location).catch((error: NodeJS.ErrnoException) => {
      throw new ParadumpError('NOTHING_TO_RESUME', `nothing to resume: ${this.location} does not exist`, { details: { reason: 'NO_DIRECTORY', outDir: this.location }, cause: error });
    });
  }

  async prepare(): Promise<void> {
    const entries = await readdir(this.location).catch(() => [] as string[]);
    if (entries.length > 0) {
      const holds = entries.includes(MANIFEST_FILE);
      throw new ParadumpError('OUTPUT_NOT_EMPTY', `output directory ${this.location} is not empty (${entries.length} entries)`, { details: { reason: holds ? 'HOLDS_BACKUP' : 'NOT_EMPTY', location: this.location } });
    }
    await mkdir(this.location, { recursive: true });
  }

  openWrite(file: string): FileWriter {
    const full = this.full(file);
    const tmp = `${full}.partial`;
    // fsynced at its end, then renamed: a file under its final name is always complete.
    const stream = new LocalFileWriter(tmp, this.folders.ready(path.dirname(full)));
    return {
      stream,
      commit: async () => rename(tmp, full),
      abort: async () => {
        // Closed first: a file still being opened would otherwise appear after it was removed.
        const closed = new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
        stream.destroy();
        await closed;
        await rm(tmp, { force: true });
      },
    };
  }

  async put(file: string, content: Buffer | string): Promise<void> {
    await writeFileAtomic(this.location, file, content);
  }

  openRead(file: string, options: { start?: number; end?: number; highWaterMark?: number } = {}): Readable {
    return createReadStream(this.full(file), options);
  }

  async readAll(file: string): Promise<Buffer | null> {
    try {
      return await readFile(this.full(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async stat(file: string): Promise<StoredFile | null> {
    try {
      const s = await stat(this.full(file));
      return s.isFile() ? { file, bytes: s.size, sha256: null } : null;
    } catch {
      return null;
    }
  }

  async matches(file: string, bytes: number, sha256: string): Promise<boolean> {
    const s = await this.stat(file);
    if (!s || s.bytes !== bytes) return false;
    const hash = createHash('sha256');
    await pipeline(createReadStream(this.full(file)), hash);
    return hash.digest('hex') === sha256;
  }

  async list(under?: string): Promise<StoredFile[]> {
    const root = under ? this.full(under) : this.location;
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    const found: StoredFile[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = path.join(e.parentPath, e.name);
      found.push({ file: path.relative(this.location, full).split(path.sep).join('/'), bytes: (await stat(full)).size, sha256: null });
    }
    return found;
  }

  async delete(files: readonly string[]): Promise<void> {
    await Promise.all(files.map((f) => rm(this.full(f), { force: true })));
  }

  async deleteAll(): Promise<number> {
    const n = (await this.list()).length;
    await rm(this.location, { recursive: true, force: true });
    this.folders.clear();
    return n;
  }

  async abortUnfinished(): Promise<number> {
    const partial = (await this.list()).filter((f) => f.file.endsWith('.partial'));
    await this.delete(partial.map((f) => f.file));
    return partial.length;
  }

  async holdsBackup(): Promise<boolean> {
    return (await this.stat(MANIFEST_FILE)) !== null;
  }
}

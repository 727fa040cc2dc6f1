import type { ChunkRecord, TableRecord } from '../core/manifest.ts';
import { openTarget } from '../storage/open-target.ts';
import type { DumpKey } from '../core/dump-key.ts';
import { hashFile } from './dump-file.ts';

export interface FileProblem {
  file: string;
  /** `missing`: not there (or not a file); `size`: other length than recorded; `sha256`: other content; `decrypt`: an encrypted file failing authentication. */
  problem: 'missing' | 'size' | 'sha256' | 'decrypt';
  expected?: string | number;
  actual?: string | number;
  /** The chunk it belongs to, when it is a data file. */
  chunk?: { database: string; table: string; index: number };
}

export interface FileCheck {
  files: number;
  bytes: number;
  problems: FileProblem[];
}

/**
 * Checks that every file a restore or verify needs is there, has the recorded size, and (with
 * `hash`) the recorded sha256. Schema and object files have no recorded hash: only their presence
 * is checked. Hashes run `threads` files at a time; with two or more, one of them on this thread
 * (it only waits otherwise) and the rest on the hashing thread. `onChunk` hears about each data file.
 */
export async function checkDumpFiles(args: {
  /** The dump's location (a directory or `s3://…`, opened by readManifest). */
  dir: string;
  /** Schema and object files: presence only. */
  plainFiles: readonly string[];
  chunks: readonly { table: TableRecord; chunk: ChunkRecord }[];
  hash: boolean;
  /** An encrypted dump's key: each hashed data file is also decrypted, every segment authenticated. */
  key?: DumpKey | null;
  threads: number;
  signal?: AbortSignal | undefined;
  onChunk?: (result: { table: TableRecord; chunk: ChunkRecord; problem: FileProblem | null }) => void;
}): Promise<FileCheck> {
  const problems: FileProblem[] = [];
  let files = 0;
  let bytes = 0;
  const source = openTarget(args.dir);
  const fileSize = async (file: string) => (await source.stat(file))?.bytes ?? null;
  for (const file of new Set(args.plainFiles)) {
    files++;
    if ((await fileSize(file)) === null) problems.push({ file, problem: 'missing' });
  }
  const queue = [...args.chunks];
  const lanes = Math.max(1, Math.min(args.threads, queue.length));
  const worker = async (lane: number) => {
    for (;;) {
      args.signal?.throwIfAborted();
      const item = queue.shift();
      if (!item) return;
      const { table, chunk } = item;
      const where = { database: table.database, table: table.table, index: chunk.index };
      let problem: FileProblem | null = null;
      // The bytes are hashed as stored, never the object's recorded sha256: that is what a dump claimed.
      const size = await fileSize(chunk.file);
      if (size === null) problem = { file: chunk.file, problem: 'missing', chunk: where };
      else if (size !== chunk.bytes) problem = { file: chunk.file, problem: 'size', expected: chunk.bytes, actual: size, chunk: where };
      else if (args.hash) {
        const decrypt = args.key && chunk.encrypted ? { key: args.key, label: { file: chunk.file, chunk: where } } : null;
        const h = await hashFile(args.dir, chunk.file, args.signal, size, { onThisThread: !decrypt && lanes > 1 && lane === 0, decrypt });
        if (h.sha256 !== chunk.sha256) problem = { file: chunk.file, problem: 'sha256', expected: chunk.sha256, actual: h.sha256, chunk: where };
        else if (h.decrypted === false) problem = { file: chunk.file, problem: 'decrypt', chunk: where };
      }
      files++;
      bytes += size ?? 0;
      if (problem) problems.push(problem);
      args.onChunk?.({ table, chunk, problem });
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, lane) => worker(lane)));
  return { files, bytes, problems };
}

/** One line naming the bad files (up to a few), for an error message. */
export function describeProblems(problems: readonly FileProblem[]): string {
  const shown = problems.slice(0, 5).map((p) => {
    if (p.problem === 'missing') return `${p.file} is missing`;
    if (p.problem === 'size') return `${p.file} has ${p.actual} bytes, the manifest says ${p.expected}`;
    if (p.problem === 'decrypt') return `${p.file} fails its authentication (cannot be decrypted)`;
    return `${p.file} does not match its sha256`;
  });
  const more = problems.length > shown.length ? ` and ${problems.length - shown.length} more` : '';
  return shown.join('; ') + more;
}

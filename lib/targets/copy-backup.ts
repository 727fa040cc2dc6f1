import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { MANIFEST_FILE } from '../core/manifest.ts';
import type { DumpSource, StorageTarget } from '../storage/target.ts';

/** Files copied at once: enough to keep a store busy; each holds at most a few parts in memory. */
const COPY_CONCURRENCY = 4;

// Only what a copy checks against: the data files' sha256. Loose on purpose (any manifest version),
// as a copy is a byte copy and never reads the rest.
const ManifestShas = z.object({ tables: z.array(z.object({ chunks: z.array(z.object({ file: z.string(), sha256: z.string() })) })) });

/** A backup's own files: not the hidden work folders beside them (a restore's state, a probe), not half-written ones. */
function isBackupFile(file: string): boolean {
  return !file.split('/').some((part) => part.startsWith('.')) && !file.endsWith('.partial') && !file.endsWith('.upload') && file !== MANIFEST_FILE;
}

async function hashStream(source: NodeJS.ReadableStream): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of source as AsyncIterable<Buffer>) {
    hash.update(piece);
    bytes += piece.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Streams one file across, hashing it on the way; a file that differs from the manifest is not committed. */
async function copyFile({ from, to, file, expected }: { from: DumpSource; to: StorageTarget; file: string; expected: string | undefined }): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const writer = to.openWrite(file);
  try {
    await pipeline(from.openRead(file), tap, writer.stream);
    const sha256 = hash.digest('hex');
    if (expected !== undefined && expected !== sha256) {
      throw new ParadumpError('CHECKSUM_MISMATCH', `${file} at ${from.location} differs from its manifest (sha256 ${sha256}, expected ${expected}): not copied`, { details: { file, location: from.location } });
    }
    await writer.commit({ sha256, bytes });
    return { sha256, bytes };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

async function eachAtOnce<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Every lane finished before the first failure is reported: nothing still writes once it is.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const refused = outcomes.find((o) => o.status === 'rejected');
  if (refused) throw refused.reason;
}

/** Reads a stored file back whole and checks its size and sha256. */
async function verifyFile({ at, file, sha256, bytes }: { at: StorageTarget; file: string; sha256: string; bytes: number }): Promise<void> {
  const read = await hashStream(at.openRead(file));
  if (read.sha256 !== sha256 || read.bytes !== bytes) {
    throw new ParadumpError('CHECKSUM_MISMATCH', `${file} at ${at.location} reads back as ${read.bytes} bytes with sha256 ${read.sha256}, expected ${bytes} bytes with ${sha256}`, { details: { file, location: at.location } });
  }
}

export interface CopyReport {
  files: number;
  bytes: number;
}

/**
 * Copies a finished backup from `from` to `to`, a byte copy of every file, each streamed (no file
 * whole in memory). `to` must hold nothing yet (OUTPUT_NOT_EMPTY, reason HOLDS_BACKUP for a
 * backup: nothing is overwritten). Every data file is read back and checked against the manifest's
 * sha256 (the others against the hash taken as they were copied) before the manifest is written,
 * last, and checked in turn: a copy without a manifest is unfinished, one with it whole.
 * `onWriting` is called once the target was checked and before the first byte is written.
 */
export async function copyBackup({ from, to, onWriting }: { from: StorageTarget; to: StorageTarget; onWriting?: () => Promise<void> }): Promise<CopyReport> {
  const manifest = await from.readAll(MANIFEST_FILE);
  if (!manifest) throw new ParadumpError('NO_MANIFEST', `${from.location} holds no ${MANIFEST_FILE}: only a finished backup is copied`, { details: { location: from.location } });
  const expected = new Map(ManifestShas.parse(JSON.parse(manifest.toString('utf8'))).tables.flatMap((t) => t.chunks.map((c) => [c.file, c.sha256] as const)));
  const files = (await from.list()).map((f) => f.file).filter(isBackupFile).sort();
  const present = new Set(files);
  const missing = [...expected.keys()].filter((f) => !present.has(f));
  if (missing.length > 0) throw new ParadumpError('FILES_MISSING', `${from.location} lacks ${missing.length} file(s) its manifest names, such as ${missing[0]}`, { details: { files: missing.slice(0, 20), location: from.location } });
  await to.prepare();
  await onWriting?.();
  const copied = new Map<string, { sha256: string; bytes: number }>();
  await eachAtOnce(files, COPY_CONCURRENCY, async (file) => {
    copied.set(file, await copyFile({ from, to, file, expected: expected.get(file) }));
  });
  await eachAtOnce(files, COPY_CONCURRENCY, (file) => verifyFile({ at: to, file, ...copied.get(file)! }));
  await to.put(MANIFEST_FILE, manifest);
  await verifyFile({ at: to, file: MANIFEST_FILE, sha256: createHash('sha256').update(manifest).digest('hex'), bytes: manifest.length });
  let bytes = manifest.length;
  for (const c of copied.values()) bytes += c.bytes;
  return { files: files.length + 1, bytes };
}

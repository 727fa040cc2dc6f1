import type { Readable, Writable } from 'node:stream';

/** One stored file of a backup: its path inside the backup, its size and, when recorded, its sha256. */
export interface StoredFile {
  file: string;
  bytes: number;
  /** From the object's metadata (S3); null where the store keeps none (a local file: hash it). */
  sha256: string | null;
}

/**
 * A file being written. Bytes go to `stream`; after it finished, `commit` makes the file visible
 * under its name with its sha256 recorded (S3: completes the multipart upload, sets the metadata).
 * `abort` throws away what was written (S3: aborts the multipart upload).
 */
export interface FileWriter {
  stream: Writable;
  commit(meta: { sha256: string; bytes: number }): Promise<void>;
  abort(): Promise<void>;
}

/** The read side of a backup, what restore, verify and point-in-time recovery need. */
export interface DumpSource {
  /** For messages: `s3://bucket/prefix` or the directory; never credentials. */
  readonly location: string;
  readonly remote: boolean;
  /** A lazy byte stream of a file (S3: one GetObject, ranged with `start`/`end`, inclusive). */
  openRead(file: string, options?: { start?: number; end?: number; highWaterMark?: number }): Readable;
  /** A whole small file; null when it is not there. */
  readAll(file: string): Promise<Buffer | null>;
  stat(file: string): Promise<StoredFile | null>;
}

/**
 * Where a backup is written: a local directory or an S3-compatible bucket and prefix. Every method
 * rejects with a ParadumpError (STORAGE_* codes for the object store).
 */
export interface StorageTarget extends DumpSource {
  /**
   * Before a new backup: the target is reachable, the credentials work, the bucket exists, a probe
   * object can be written and deleted, and nothing is stored there yet (OUTPUT_NOT_EMPTY, with
   * `details.reason` HOLDS_BACKUP when a manifest is there): nothing is ever overwritten.
   */
  prepare(): Promise<void>;
  /** Before a resume: reachable, credentials work, the bucket exists. */
  prepareResume(): Promise<void>;
  openWrite(file: string): FileWriter;
  /** A whole small file, written atomically with its sha256 recorded. */
  put(file: string, content: Buffer | string): Promise<void>;
  /** Every file under `under` (a folder of the backup), or all of them. */
  list(under?: string): Promise<StoredFile[]>;
  delete(files: readonly string[]): Promise<void>;
  /** Deletes every file of the backup (retention); resolves with how many. */
  deleteAll(): Promise<number>;
  /** Aborts multipart uploads left by an interrupted run; resolves with how many. */
  abortUnfinished(): Promise<number>;
  /** Whether a finished backup (a manifest) is stored there. */
  holdsBackup(): Promise<boolean>;
  /** Whether `file` is stored with exactly this size and sha256 (a resume keeps it then). */
  matches(file: string, bytes: number, sha256: string): Promise<boolean>;
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { DumpKey } from './dump-key.ts';
import { ParadumpError } from './errors.ts';

/**
 * An encrypted dump file: a 60-byte header, then AES-256-GCM segments of 64 KiB of plaintext each
 * (the last one shorter, possibly empty), each followed by its 16-byte tag.
 *
 * header: "PDUMPENC" | version 1 | algorithm 1 (aes-256-gcm) | segment KiB (u16 BE) | key id (8 bytes)
 *         | salt (32 bytes) | nonce prefix (8 bytes)
 *
 * The file's key is HKDF-SHA256(master key, salt): a fresh random salt per file means a nonce is
 * never reused under one key, whatever the counter. Segment n's nonce is prefix | n (u32 BE); its AAD
 * is header | n | last-flag, so a reordered, dropped, truncated or appended segment fails its tag.
 */
export const ENCRYPTION_MAGIC = Buffer.from('PDUMPENC', 'latin1');
export const HEADER_BYTES = 60;
export const SEGMENT_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
const VERSION = 1;
const ALGORITHM = 1;
const HKDF_INFO = Buffer.from('paradump file key v1', 'utf8');

/** Where an encrypted file came from, for error details. */
export interface EncryptedFileLabel {
  file?: string;
  chunk?: { database: string; table: string; index: number };
}

function header(key: DumpKey): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  ENCRYPTION_MAGIC.copy(h, 0);
  h[8] = VERSION;
  h[9] = ALGORITHM;
  h.writeUInt16BE(SEGMENT_BYTES / 1024, 10);
  Buffer.from(key.id, 'hex').copy(h, 12);
  randomBytes(40).copy(h, 20);
  return h;
}

function fileKey(key: DumpKey, head: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key.key, head.subarray(20, 52), HKDF_INFO, 32));
}

function failed(label: EncryptedFileLabel, why: string): ParadumpError {
  const where = label.file ?? 'a dump file';
  return new ParadumpError('DECRYPT_FAILED', `${where} could not be decrypted: ${why} (the file is damaged or was altered)`, { details: { ...label, reason: why } });
}

/** Reads and checks a header; KEY_MISMATCH when the file was encrypted with another key. */
function checkHeader(key: DumpKey, head: Buffer, label: EncryptedFileLabel): void {
  if (!head.subarray(0, 8).equals(ENCRYPTION_MAGIC)) throw failed(label, 'no encryption header');
  if (head[8] !== VERSION || head[9] !== ALGORITHM || head.readUInt16BE(10) !== SEGMENT_BYTES / 1024) throw failed(label, 'unknown encryption header version');
  const id = head.subarray(12, 20).toString('hex');
  if (id !== key.id) {
    throw new ParadumpError('KEY_MISMATCH', `${label.file ?? 'the file'} was encrypted with key ${id}, not with the given key ${key.id}`, { details: { ...label, expected: id, given: key.id } });
  }
}

function segmentIv(head: Buffer, counter: number): Buffer {
  const iv = Buffer.alloc(12);
  head.copy(iv, 0, 52, 60);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

function segmentAad(head: Buffer, counter: number, last: boolean): Buffer {
  const aad = Buffer.alloc(HEADER_BYTES + 5);
  head.copy(aad, 0);
  aad.writeUInt32BE(counter, HEADER_BYTES);
  aad[HEADER_BYTES + 4] = last ? 1 : 0;
  return aad;
}

function seal(k: Buffer, head: Buffer, counter: number, last: boolean, plain: Buffer): Buffer[] {
  if (counter > 0xffffffff) throw new ParadumpError('INTERNAL', 'an encrypted file may hold at most 2^32 segments (256 TiB)');
  const c = createCipheriv('aes-256-gcm', k, segmentIv(head, counter));
  c.setAAD(segmentAad(head, counter, last));
  const body = c.update(plain);
  const rest = c.final();
  return rest.length ? [body, rest, c.getAuthTag()] : [body, c.getAuthTag()];
}

function open(k: Buffer, head: Buffer, counter: number, last: boolean, sealed: Buffer, label: EncryptedFileLabel): Buffer {
  if (sealed.length < TAG_BYTES) throw failed(label, 'truncated');
  const d = createDecipheriv('aes-256-gcm', k, segmentIv(head, counter));
  d.setAAD(segmentAad(head, counter, last));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    d.final();
  } catch {
    throw failed(label, `segment ${counter} fails its authentication tag`);
  }
  return plain;
}

/**
 * Gathers incoming pieces and hands out whole segments, each a view of its piece where it lies in
 * one (copied only where it spans two): never more than a segment and a piece held.
 */
class Segments {
  private parts: Buffer[] = [];
  private length = 0;

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  /** Segments of `size` bytes, each one only while more bytes follow it (the last waits for `rest`). */
  *takeWhileMore(size: number): Generator<Buffer> {
    while (this.length > size) {
      const first = this.parts[0]!;
      let segment: Buffer;
      if (first.length >= size) {
        segment = first.subarray(0, size);
        if (first.length === size) this.parts.shift();
        else this.parts[0] = first.subarray(size);
      } else {
        const pieces: Buffer[] = [];
        for (let need = size; need > 0; ) {
          const p = this.parts[0]!;
          if (p.length <= need) {
            pieces.push(p);
            this.parts.shift();
            need -= p.length;
          } else {
            pieces.push(p.subarray(0, need));
            this.parts[0] = p.subarray(need);
            need = 0;
          }
        }
        segment = Buffer.concat(pieces, size);
      }
      this.length -= size;
      yield segment;
    }
  }

  rest(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    return all;
  }
}

/** Encrypts a stream of bytes into the format above. */
export class EncryptStream extends Transform {
  private readonly head: Buffer;
  private readonly k: Buffer;
  private readonly pending = new Segments();
  private counter = 0;

  constructor(key: DumpKey) {
    super();
    this.head = header(key);
    this.k = fileKey(key, this.head);
    this.push(this.head);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.add(chunk);
    for (const plain of this.pending.takeWhileMore(SEGMENT_BYTES)) for (const b of seal(this.k, this.head, this.counter++, false, plain)) this.push(b);
    done();
  }

  override _flush(done: TransformCallback): void {
    for (const b of seal(this.k, this.head, this.counter++, true, this.pending.rest())) this.push(b);
    done();
  }
}

/** Decrypts and authenticates a file of the format above; DECRYPT_FAILED or KEY_MISMATCH on error. */
export class DecryptStream extends Transform {
  private head: Buffer | null = null;
  private k: Buffer | null = null;
  private readonly pending = new Segments();
  private counter = 0;

  constructor(
    private readonly key: DumpKey,
    private readonly label: EncryptedFileLabel = {},
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.pending.add(chunk);
      if (!this.head) {
        const all = this.pending.rest();
        if (all.length < HEADER_BYTES) {
          this.pending.add(all);
          return done();
        }
        this.head = Buffer.from(all.subarray(0, HEADER_BYTES));
        checkHeader(this.key, this.head, this.label);
        this.k = fileKey(this.key, this.head);
        this.pending.add(all.subarray(HEADER_BYTES));
      }
      for (const sealed of this.pending.takeWhileMore(SEGMENT_BYTES + TAG_BYTES)) this.push(open(this.k!, this.head, this.counter++, false, sealed, this.label));
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.head) throw failed(this.label, 'truncated (no whole header)');
      const last = open(this.k!, this.head, this.counter++, true, this.pending.rest(), this.label);
      if (last.length) this.push(last);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}

/** A whole small file (schema, accounts) encrypted at once, in the same format as the stream. */
export function encryptBuffer(key: DumpKey, plain: Buffer | string): Buffer {
  const data = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain;
  const head = header(key);
  const k = fileKey(key, head);
  const out: Buffer[] = [head];
  let counter = 0;
  let at = 0;
  while (data.length - at > SEGMENT_BYTES) {
    out.push(...seal(k, head, counter++, false, data.subarray(at, at + SEGMENT_BYTES)));
    at += SEGMENT_BYTES;
  }
  out.push(...seal(k, head, counter, true, data.subarray(at)));
  return Buffer.concat(out);
}

export function decryptBuffer(key: DumpKey, sealed: Buffer, label: EncryptedFileLabel = {}): Buffer {
  if (sealed.length < HEADER_BYTES) throw failed(label, 'truncated (no whole header)');
  const head = sealed.subarray(0, HEADER_BYTES);
  checkHeader(key, head, label);
  const k = fileKey(key, head);
  const out: Buffer[] = [];
  const whole = SEGMENT_BYTES + TAG_BYTES;
  let counter = 0;
  let at = HEADER_BYTES;
  while (sealed.length - at > whole) {
    out.push(open(k, head, counter++, false, sealed.subarray(at, at + whole), label));
    at += whole;
  }
  out.push(open(k, head, counter, true, sealed.subarray(at), label));
  return Buffer.concat(out);
}

/** Bytes on disk of a file of `plainBytes` bytes once encrypted. */
export function encryptedSize(plainBytes: number): number {
  const segments = Math.max(1, Math.ceil(plainBytes / SEGMENT_BYTES));
  return HEADER_BYTES + plainBytes + segments * TAG_BYTES;
}

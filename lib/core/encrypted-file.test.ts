import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { keyId, parseDumpKey, readDumpKey, type DumpKey } from './dump-key.ts';
import { decryptBuffer, DecryptStream, encryptBuffer, encryptedSize, EncryptStream, HEADER_BYTES, SEGMENT_BYTES, TAG_BYTES } from './encrypted-file.ts';
import { isParadumpError } from './errors.ts';

const key = (): DumpKey => parseDumpKey(randomBytes(32));

/** Streams `data` through `stream` in pieces of `piece` bytes and collects what comes out. */
async function through(stream: EncryptStream | DecryptStream, data: Buffer, piece: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const pieces = function* () {
    for (let at = 0; at < data.length; at += piece) yield data.subarray(at, at + piece);
  };
  await pipeline(Readable.from(pieces()), stream, new Writable({ write: (c: Buffer, _e, done) => (parts.push(c), done()) }));
  return Buffer.concat(parts);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return isParadumpError(error) ? error.code : String(error);
  }
  return 'resolved';
}

describe('encrypted files', () => {
  const sizes = [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 2 * SEGMENT_BYTES, 3 * SEGMENT_BYTES + 17];
  it.each(sizes)('round-trips %i bytes, streamed in odd pieces and whole', async (size) => {
    const k = key();
    const plain = randomBytes(size);
    for (const piece of [1000, 65_536 + 16, 300_001]) {
      const sealed = await through(new EncryptStream(k), plain, piece);
      expect(sealed.length).toBe(encryptedSize(size));
      expect(sealed.subarray(0, 8).toString('latin1')).toBe('PDUMPENC');
      expect(await through(new DecryptStream(k), sealed, piece)).toEqual(plain);
      expect(decryptBuffer(k, sealed)).toEqual(plain);
    }
    expect(await through(new DecryptStream(k), encryptBuffer(k, plain), 4096)).toEqual(plain);
  });

  it('never encrypts two files alike (a fresh salt and nonce prefix per file)', () => {
    const k = key();
    const a = encryptBuffer(k, 'same');
    const b = encryptBuffer(k, 'same');
    expect(a.subarray(20, 60).equals(b.subarray(20, 60))).toBe(false);
    expect(a.subarray(HEADER_BYTES).equals(b.subarray(HEADER_BYTES))).toBe(false);
  });

  it('refuses a flipped byte anywhere: header, body or tag', async () => {
    const k = key();
    const sealed = await through(new EncryptStream(k), randomBytes(2 * SEGMENT_BYTES + 5), 70_000);
    for (const at of [25, 55, HEADER_BYTES + 10, HEADER_BYTES + SEGMENT_BYTES + 3, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 0x01;
      expect(await codeOf(through(new DecryptStream(k, { file: 'data/x.sql.zst' }), bad, 8192))).toBe('DECRYPT_FAILED');
    }
  });

  it('refuses a truncated file, a dropped last segment, reordered segments and appended bytes', async () => {
    const k = key();
    const sealed = await through(new EncryptStream(k), randomBytes(3 * SEGMENT_BYTES + 100), 65_536);
    const whole = SEGMENT_BYTES + TAG_BYTES;
    const seg = (i: number) => sealed.subarray(HEADER_BYTES + i * whole, HEADER_BYTES + (i + 1) * whole);
    const head = sealed.subarray(0, HEADER_BYTES);
    const cases = [
      sealed.subarray(0, sealed.length - 1),
      sealed.subarray(0, HEADER_BYTES + 3 * whole),
      Buffer.concat([head, seg(1), seg(0), sealed.subarray(HEADER_BYTES + 2 * whole)]),
      Buffer.concat([sealed, Buffer.from('x')]),
      Buffer.concat([sealed, seg(0)]),
      sealed.subarray(0, 30),
    ];
    for (const bad of cases) {
      expect(await codeOf(through(new DecryptStream(k), bad, 10_000))).toBe('DECRYPT_FAILED');
      expect(await codeOf(Promise.resolve().then(() => decryptBuffer(k, bad)))).toBe('DECRYPT_FAILED');
    }
  });

  it('names another key as KEY_MISMATCH, not as damage', async () => {
    const sealed = encryptBuffer(key(), 'rows');
    expect(await codeOf(through(new DecryptStream(key()), sealed, 100))).toBe('KEY_MISMATCH');
  });
});

describe('key files', () => {
  it('reads 32 raw bytes, 64 hex digits and base64 of 32 bytes, whitespace trimmed, to one key and id', async () => {
    const raw = randomBytes(32);
    const dir = await mkdtemp(path.join(tmpdir(), 'paradump-key-'));
    const forms = { raw, hex: `${raw.toString('hex')}\n`, b64: `  ${raw.toString('base64')}\r\n` };
    for (const [name, content] of Object.entries(forms)) {
      await writeFile(path.join(dir, name), content);
      const k = await readDumpKey(path.join(dir, name));
      expect(k.key).toEqual(raw);
      expect(k.id).toBe(keyId(raw));
    }
    expect(keyId(raw)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses anything else with KEY_FILE_INVALID', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'paradump-key-'));
    const bad = ['', 'abc', randomBytes(31), randomBytes(33), 'z'.repeat(64), randomBytes(31).toString('base64'), randomBytes(33).toString('hex')];
    for (const [i, content] of bad.entries()) {
      await writeFile(path.join(dir, `k${i}`), content);
      expect(await codeOf(readDumpKey(path.join(dir, `k${i}`)))).toBe('KEY_FILE_INVALID');
    }
    expect(await codeOf(readDumpKey(path.join(dir, 'missing')))).toBe('KEY_FILE_INVALID');
  });
});

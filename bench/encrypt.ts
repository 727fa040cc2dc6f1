// Encryption throughput on one core: 1 GiB streamed through EncryptStream, then its ciphertext through
// DecryptStream, in 1 MiB pieces (the size zstd and the file reader hand on). Prints MiB/s of plaintext.
// Also node's own AES-256-GCM over the same bytes in one cipher (no segments, no streams): the
// ceiling on this core at this moment, so a loaded machine's figure can be read as a ratio.
// Usage: npx tsx bench/encrypt.ts [MiB] (default 1024)
import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseDumpKey } from '../lib/core/dump-key.ts';
import { DecryptStream, EncryptStream } from '../lib/core/encrypted-file.ts';

const mib = Number(process.argv[2] ?? 1024);
const key = parseDumpKey(randomBytes(32));
const piece = randomBytes(1024 * 1024);

async function timed(stream: EncryptStream | DecryptStream, pieces: () => Iterable<Buffer>, keep: Buffer[] | null): Promise<number> {
  const started = performance.now();
  await pipeline(Readable.from(pieces(), { objectMode: false }), stream, new Writable({ highWaterMark: 4 << 20, write: (c: Buffer, _e, done) => (keep?.push(c), done()) }));
  return (performance.now() - started) / 1000;
}

// Decrypt reads back one sealed MiB-run repeated: the same segments each time would fail their AAD, so
// a sealed sample of 64 MiB is decrypted as many times as it takes to make `mib`.
const enc = await timed(new EncryptStream(key), function* () {
  for (let i = 0; i < mib; i++) yield piece;
}, null);
const sample: Buffer[] = [];
const sampleMib = Math.min(64, mib);
await timed(new EncryptStream(key), function* () {
  for (let i = 0; i < sampleMib; i++) yield piece;
}, sample);
const sealed = Buffer.concat(sample);
let dec = 0;
for (let done = 0; done < mib; done += sampleMib) {
  dec += await timed(new DecryptStream(key), function* () {
    for (let at = 0; at < sealed.length; at += piece.length) yield sealed.subarray(at, at + piece.length);
  }, null);
}
const rawStarted = performance.now();
const raw = createCipheriv('aes-256-gcm', key.key, randomBytes(12));
for (let i = 0; i < mib; i++) raw.update(piece);
raw.final();
const rawSeconds = (performance.now() - rawStarted) / 1000;
console.log(JSON.stringify({ mib, encryptMiBps: Math.round(mib / enc), decryptMiBps: Math.round(mib / dec), rawGcmMiBps: Math.round(mib / rawSeconds) }));

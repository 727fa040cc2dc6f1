import { ByteBuilder } from './encode-values.ts';

/**
 * Bytes handed to the compressor / disk at a time. Each fs write and each zlib call is a trip to the
 * libuv thread pool, and each trip costs the main thread time (waking the pool thread): 1 MB pieces
 * keep that to a few hundred trips per GB (docs/benchmarks.md, "Measurements behind the code").
 */
export const FLUSH_BYTES = 1024 * 1024;

/**
 * Encoder buffers grow to a few MB (1 MB gathered + a batch's worth of room); each chunk reusing the
 * last chunk's instead of growing new ones spares the copying and the GC that large allocations
 * drive. A few are kept, for the chunks being written at the same time.
 */
const spareBuilders: ByteBuilder[] = [];
export function takeBuilder(): ByteBuilder {
  return spareBuilders.pop() ?? new ByteBuilder(2 * FLUSH_BYTES);
}
export function giveBuilder(b: ByteBuilder): void {
  b.truncate(0);
  // One grown for a huge row is not worth keeping.
  if (b.buf.length <= 8 * FLUSH_BYTES && spareBuilders.length < 16 && !spareBuilders.includes(b)) spareBuilders.push(b);
}

/**
 * An uncompressed chunk's bytes reach the file as the encoder's own buffer, not a copy of it: a
 * copy per 1 MB piece meant an allocation each and the collections they drove. The builder gets a
 * spare buffer in exchange, and `LocalFileWriter` gives the lent one back once it is written. Only for a chain that ends in that writer with nothing holding on to the bytes
 * (the hasher copies them as they pass); a compressor's input is copied as before.
 */
const OUTPUT_BYTES = 2 * FLUSH_BYTES;
const spareOutputs: Buffer[] = [];
const lentOutputs = new WeakSet<ArrayBufferLike>();

export function handOut(builder: ByteBuilder, lend: boolean): Buffer {
  if (!lend) return builder.take();
  const out = builder.view();
  // Full-size buffers of their own only; one grown for a huge row is lent and then dropped.
  if (out.byteOffset === 0 && out.buffer.byteLength === OUTPUT_BYTES) lentOutputs.add(out.buffer);
  builder.buf = spareOutputs.pop() ?? Buffer.allocUnsafeSlow(OUTPUT_BYTES);
  builder.truncate(0);
  return out;
}

export function giveBackOutput(written: Buffer): void {
  if (!lentOutputs.delete(written.buffer)) return;
  if (spareOutputs.length < 16) spareOutputs.push(Buffer.from(written.buffer, 0, OUTPUT_BYTES));
}

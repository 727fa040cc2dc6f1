import { xxh3 } from '@node-rs/xxhash';
import type { ChunkRecord } from './manifest.ts';
import { Sha256 } from './sha256-thread.ts';

/**
 * The hash of a chunk's rows that `verify` compares (docs/manifest.md): sha256 in dumps before
 * manifest version 5, xxh3-128 since (issue 22: it need not be cryptographic, only fast; the
 * file's sha256 stays). Each chunk record names its own (`contentSha256` or `contentXxh3`), so a
 * dump resumed across the change keeps both kinds and verify checks each chunk its own way.
 */
export type ContentHashAlgorithm = 'sha256' | 'xxh3-128';

export interface ContentHash {
  /** A promise when the caller must wait before the next update. */
  update(bytes: Uint8Array): Promise<void> | undefined;
  digest(): Promise<string>;
  discard(): void;
}

export function newContentHash(algorithm: ContentHashAlgorithm): ContentHash {
  return algorithm === 'sha256' ? new Sha256() : new Xxh3Blocks();
}

/** The content hash a chunk was recorded with. */
export function recordedContentHash(chunk: Pick<ChunkRecord, 'contentSha256' | 'contentXxh3'>): { algorithm: ContentHashAlgorithm; hex: string } {
  if (chunk.contentXxh3 !== undefined) return { algorithm: 'xxh3-128', hex: chunk.contentXxh3 };
  return { algorithm: 'sha256', hex: chunk.contentSha256 ?? '' };
}

/**
 * Bytes per block. @node-rs/xxhash has xxh3-128 only as a one-shot function (its streaming `Xxh3`
 * is 64-bit), so longer content is hashed a block at a time: content of at most one block is
 * plain xxh3-128 of the bytes (what `xxhsum -H2` prints); longer content is the xxh3-128 of its
 * blocks' xxh3-128 digests, 16 bytes each, big-endian, in order.
 */
export const XXH3_BLOCK_BYTES = 1024 * 1024;
/** Block buffers kept for the next hashes: one per chunk being dumped at a time, a few spare. */
const spareBlocks: Buffer[] = [];

class Xxh3Blocks implements ContentHash {
  private block: Buffer | null = null;
  private fill = 0;
  private digests: Buffer | null = null;
  private blocks = 0;

  update(bytes: Uint8Array): undefined {
    let off = 0;
    while (off < bytes.length) {
      // A whole block straight from the input: no copy.
      if (this.fill === 0 && bytes.length - off > XXH3_BLOCK_BYTES) {
        this.addBlock(bytes.subarray(off, off + XXH3_BLOCK_BYTES));
        off += XXH3_BLOCK_BYTES;
        continue;
      }
      if (this.fill === XXH3_BLOCK_BYTES) {
        this.addBlock(this.block!);
        this.fill = 0;
      }
      this.block ??= spareBlocks.pop() ?? Buffer.allocUnsafeSlow(XXH3_BLOCK_BYTES);
      const n = Math.min(XXH3_BLOCK_BYTES - this.fill, bytes.length - off);
      this.block.set(bytes.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
    }
    return undefined;
  }

  private addBlock(block: Uint8Array): void {
    const at = this.blocks * 16;
    this.digests ??= Buffer.allocUnsafe(16 * 64);
    if (this.digests.length < at + 16) this.digests = grow(this.digests, at, 2 * this.digests.length);
    writeDigest(this.digests, at, xxh3.xxh128(block));
    this.blocks++;
  }

  digest(): Promise<string> {
    const tail = this.block ? this.block.subarray(0, this.fill) : Buffer.alloc(0);
    let value: bigint;
    if (this.blocks === 0) value = xxh3.xxh128(tail);
    else {
      if (this.fill > 0) this.addBlock(tail);
      value = xxh3.xxh128(this.digests!.subarray(0, this.blocks * 16));
    }
    this.discard();
    return Promise.resolve(hex128(value));
  }

  discard(): void {
    if (this.block && spareBlocks.length < 8) spareBlocks.push(this.block);
    this.block = null;
    this.digests = null;
    this.fill = 0;
  }
}

function grow(b: Buffer, used: number, size: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(size, 2 * b.length));
  b.copy(next, 0, 0, used);
  return next;
}

function writeDigest(out: Buffer, at: number, value: bigint): void {
  out.writeBigUInt64BE(value >> 64n, at);
  out.writeBigUInt64BE(value & 0xffffffffffffffffn, at + 8);
}

function hex128(value: bigint): string {
  return value.toString(16).padStart(32, '0');
}

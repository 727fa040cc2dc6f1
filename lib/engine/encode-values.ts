import type { ColumnInfo, ValueEncoding } from './column-kind.ts';
import type { RawRow, RawValue } from '../mysql/session.ts';

/**
 * A growable byte buffer. The row path appends literal bytes straight into it — no JS string per
 * value, no object per row — and hands out filled slices to the compressor.
 */
export class ByteBuilder {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  ascii(text: string): void {
    this.ensure(text.length);
    this.length += this.buf.write(text, this.length, 'latin1');
  }

  utf8(text: string): void {
    const n = Buffer.byteLength(text);
    this.ensure(n);
    this.length += this.buf.write(text, this.length, 'utf8');
  }

  bytes(src: Buffer, start = 0, end = src.length): void {
    this.ensure(end - start);
    this.length += src.copy(this.buf, this.length, start, end);
  }

  /** Appends bytes `start..end` of another builder, without making a view of them. */
  copyFrom(other: ByteBuilder, start: number, end: number): void {
    this.ensure(end - start);
    this.length += other.buf.copy(this.buf, this.length, start, end);
  }

  /** Hex digits of `src`, no prefix. */
  hex(src: Buffer): void {
    this.ensure(src.length * 2);
    this.length += this.buf.write(src.toString('hex'), this.length, 'latin1');
  }

  /**
   * `src` with the bytes MariaDB's string parser treats specially escaped. Every escape is ASCII and
   * every multi-byte character of an ASCII-compatible charset is made of bytes ≥ 0x80, so the result
   * reads back to the same bytes whatever charset the introducer names.
   */
  escaped(src: Buffer): void {
    this.ensure(src.length * 2);
    const out = this.buf;
    let o = this.length;
    let runStart = 0;
    for (let i = 0; i < src.length; i++) {
      const c = src[i]!;
      const esc = ESCAPE[c]!;
      if (esc === 0) continue;
      if (i > runStart) o += src.copy(out, o, runStart, i);
      out[o++] = 0x5c; // backslash
      out[o++] = esc;
      runStart = i + 1;
    }
    if (src.length > runStart) o += src.copy(out, o, runStart, src.length);
    this.length = o;
  }

  /** Takes the filled bytes out (a copy), resetting the builder. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length));
    this.length = 0;
    return out;
  }

  view(start = 0, end = this.length): Buffer {
    return this.buf.subarray(start, end);
  }

  truncate(length: number): void {
    this.length = length;
  }
}

/** For each byte, the letter after the backslash that encodes it, or 0 to copy it as is. */
const ESCAPE = new Uint8Array(256);
ESCAPE[0x00] = 0x30; // \0
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x1a] = 0x5a; // \Z
ESCAPE[0x27] = 0x27; // \'
ESCAPE[0x5c] = 0x5c; // \\

export type ValueWriter = (out: ByteBuilder, value: Buffer) => void;

function writerFor(encoding: ValueEncoding, charset: string | null): ValueWriter {
  switch (encoding) {
    case 'number':
      return (out, v) => out.bytes(v);
    case 'quoted':
      return (out, v) => {
        out.byte(0x27);
        out.bytes(v);
        out.byte(0x27);
      };
    case 'utf8':
      return (out, v) => {
        out.byte(0x27);
        out.escaped(v);
        out.byte(0x27);
      };
    case 'charset': {
      const prefix = `_${sanitizeCharset(charset)}'`;
      return (out, v) => {
        out.ascii(prefix);
        out.escaped(v);
        out.byte(0x27);
      };
    }
    case 'charset-hex': {
      const prefix = `_${sanitizeCharset(charset)} X'`;
      return (out, v) => {
        out.ascii(prefix);
        out.hex(v);
        out.byte(0x27);
      };
    }
    case 'binary':
      return (out, v) => {
        out.ascii("_binary'");
        out.escaped(v);
        out.byte(0x27);
      };
    case 'hex':
      return (out, v) => {
        out.ascii("X'");
        out.hex(v);
        out.byte(0x27);
      };
  }
}

function sanitizeCharset(charset: string | null): string {
  if (!charset || !/^[a-z0-9_]+$/i.test(charset)) throw new TypeError(`unexpected character set name ${JSON.stringify(charset)}`);
  return charset;
}

/** Compiles the per-column writers once; `writeRow` then appends `(v1,v2,…)` for each row. */
export function compileRowWriter(columns: readonly Pick<ColumnInfo, 'encoding' | 'charset'>[]): (out: ByteBuilder, row: RawRow) => void {
  const writers = columns.map((c) => writerFor(c.encoding, c.charset));
  const n = writers.length;
  return (out, row) => {
    out.byte(0x28);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.byte(0x2c);
      const v: RawValue | undefined = row[i];
      if (v === null || v === undefined) out.ascii('NULL');
      else writers[i]!(out, v);
    }
    out.byte(0x29);
  };
}

import type { ColumnInfo, ValueEncoding } from './column-kind.ts';

/**
 * A growable byte buffer. The row path appends literal bytes straight into it — no JS string per
 * value, no object per row — and hands out filled slices to the compressor. `buf` is exposed for the
 * row encoder's hot loop, which writes through a local offset after one `ensure` per row.
 */
export class ByteBuilder {
  buf: Buffer;
  length = 0;

  constructor(initial = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
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

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    this.ensure(end - start);
    this.length = copyBytes(this.buf, this.length, src, start, end);
  }

  /** Appends bytes `start..end` of another builder, without making a view of them. */
  copyFrom(other: ByteBuilder, start: number, end: number): void {
    this.ensure(end - start);
    this.length = copyBytes(this.buf, this.length, other.buf, start, end);
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

/**
 * Copies `src[start..end)` to `dst` at `o`, returns the new offset. Short runs (digits, dates) are
 * copied byte by byte, which is cheaper than a native call; longer ones in one `set`.
 */
function copyBytes(dst: Uint8Array, o: number, src: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n <= 16) {
    for (let i = start; i < end; i++) dst[o++] = src[i]!;
    return o;
  }
  dst.set(new Uint8Array(src.buffer, src.byteOffset + start, n), o);
  return o + n;
}

/** The two ways rows are written: SQL `(v1,…,vn)` tuples for INSERTs, or `LOAD DATA` text lines. */
export type RowFormat = 'sql' | 'tsv';

/** Per byte, the letter after the backslash that encodes it (0: copied as is), and those bytes. */
export interface EscapeTable {
  letter: Uint8Array;
  special: readonly number[];
}

function escapeTable(pairs: readonly (readonly [number, number])[]): EscapeTable {
  const letter = new Uint8Array(256);
  for (const [byte, esc] of pairs) letter[byte] = esc;
  return { letter, special: pairs.map(([byte]) => byte) };
}

/** Inside a quoted SQL string: what mysql_real_escape_string escapes. */
export const SQL_ESCAPES = escapeTable([
  [0x00, 0x30], // \0
  [0x0a, 0x6e], // \n
  [0x0d, 0x72], // \r
  [0x1a, 0x5a], // \Z
  [0x27, 0x27], // \'
  [0x5c, 0x5c], // \\
]);

/**
 * A `LOAD DATA` field (tab-separated, `\n`-terminated, `ESCAPED BY '\\'`, nothing enclosed): the
 * separator, the terminator, the escape itself, and NUL, as `SELECT … INTO OUTFILE` writes them.
 * `\N` alone is NULL; the text `\N` is written `\\N`, so it cannot be mistaken for one.
 */
export const TSV_ESCAPES = escapeTable([
  [0x00, 0x30], // \0
  [0x09, 0x74], // \t
  [0x0a, 0x6e], // \n
  [0x5c, 0x5c], // \\
]);

/** How a column's bytes go out: as they are, escaped, or as hex digits; between `open` and `close`. */
const enum Mode {
  Raw = 0,
  Escape = 1,
  Hex = 2,
}

interface ColumnPlan {
  mode: Mode;
  open: Buffer;
  close: number; // 0x27, or -1 for none
}

function planFor(encoding: ValueEncoding, charset: string | null, format: RowFormat): ColumnPlan {
  if (format === 'tsv') {
    // No quotes and no introducers: the loader's column list says what each field is (see
    // loadDataSql), and hex fields go through UNHEX there.
    const none = Buffer.alloc(0);
    if (encoding === 'number' || encoding === 'quoted') return { mode: Mode.Raw, open: none, close: -1 };
    if (encoding === 'hex' || encoding === 'charset-hex') return { mode: Mode.Hex, open: none, close: -1 };
    return { mode: Mode.Escape, open: none, close: -1 };
  }
  const quote = Buffer.from("'", 'latin1');
  switch (encoding) {
    case 'number':
      return { mode: Mode.Raw, open: Buffer.alloc(0), close: -1 };
    case 'quoted':
      return { mode: Mode.Raw, open: quote, close: 0x27 };
    case 'utf8':
      return { mode: Mode.Escape, open: quote, close: 0x27 };
    case 'charset':
      return { mode: Mode.Escape, open: Buffer.from(`_${sanitizeCharset(charset)}'`, 'latin1'), close: 0x27 };
    case 'charset-hex':
      return { mode: Mode.Hex, open: Buffer.from(`_${sanitizeCharset(charset)} X'`, 'latin1'), close: 0x27 };
    case 'binary':
      return { mode: Mode.Escape, open: Buffer.from("_binary'", 'latin1'), close: 0x27 };
    case 'hex':
      return { mode: Mode.Hex, open: Buffer.from("X'", 'latin1'), close: 0x27 };
  }
}

function sanitizeCharset(charset: string | null): string {
  if (!charset || !/^[a-z0-9_]+$/i.test(charset)) throw new TypeError(`unexpected character set name ${JSON.stringify(charset)}`);
  return charset;
}

const NULL_SQL = Buffer.from('NULL', 'latin1');
const NULL_TSV = Buffer.from('\\N', 'latin1');

/** Copies `buf[start..end)` to `buf[o..)` within one buffer (regions apart, or o ≤ start); the new offset. */
export function moveBytes(buf: Uint8Array, o: number, start: number, end: number): number {
  if (end - start <= 16) {
    for (let i = start; i < end; i++) buf[o++] = buf[i]!;
    return o;
  }
  buf.copyWithin(o, start, end);
  return o + (end - start);
}

/** `buf[start..end)` escaped into `buf[o..)` (room for twice the length); the new offset. */
function escapeWithin(buf: Uint8Array, o: number, start: number, end: number, letter: Uint8Array): number {
  let runStart = start;
  for (let i = start; i < end; i++) {
    const esc = letter[buf[i]!]!;
    if (esc === 0) continue;
    if (i > runStart) o = moveBytes(buf, o, runStart, i);
    buf[o++] = 0x5c; // backslash
    buf[o++] = esc;
    runStart = i + 1;
  }
  return moveBytes(buf, o, runStart, end);
}

/**
 * Encodes rows straight from the text protocol's bytes, as `streamRaw` batches them: per row a packet
 * header, then `n` length-coded values (0xfb = NULL). No Buffer per value, no array per row.
 *
 * `begin` copies the batch to the far end of the output builder's buffer, so every value is moved
 * with `copyWithin` inside one buffer — no view object per value. Escaping is decided with native
 * scans: the next occurrence of each byte that needs escaping is known, and a value that ends
 * before all of them is copied in one piece; only values that contain one (or follow a length byte
 * that happens to equal one) are walked byte by byte. Output is byte-identical to escaping every value.
 */
export class RowEncoder {
  private readonly modes: Uint8Array;
  private readonly opens: Buffer[];
  private readonly closes: Int16Array;
  private readonly n: number;
  /** Bytes a row's output may take beyond twice its input: introducers, quotes, commas, NULLs, a newline. */
  private readonly extra: number;
  /** Per special byte, its next position in the batch at or after the last refresh (dataEnd if none). */
  private readonly nextAt: Float64Array;
  private readonly special: readonly number[];
  private readonly letter: Uint8Array;
  private readonly tsv: boolean;
  private readonly nullBytes: Buffer;
  private nextSpecial = 0;
  private buf: Buffer = Buffer.alloc(0);
  private p = 0;
  private dataEnd = 0;

  constructor(columns: readonly Pick<ColumnInfo, 'encoding' | 'charset'>[], format: RowFormat = 'sql') {
    const plans = columns.map((c) => planFor(c.encoding, c.charset, format));
    const table = format === 'tsv' ? TSV_ESCAPES : SQL_ESCAPES;
    this.tsv = format === 'tsv';
    this.special = table.special;
    this.letter = table.letter;
    this.nextAt = new Float64Array(table.special.length);
    this.nullBytes = format === 'tsv' ? NULL_TSV : NULL_SQL;
    this.n = plans.length;
    this.modes = Uint8Array.from(plans.map((p) => p.mode));
    this.opens = plans.map((p) => p.open);
    this.closes = Int16Array.from(plans.map((p) => p.close));
    this.extra = plans.reduce((a, p) => a + p.open.length + 1 + NULL_SQL.length + 1, 3);
  }

  /**
   * Starts a batch of `rows` rows to be appended to `out` with `row`. Until the batch is done, only
   * `row` and single bytes (separators counted in `extra`) may be written to `out`.
   */
  begin(out: ByteBuilder, data: Buffer, rows: number): void {
    out.ensure(2 * data.length + rows * this.extra + data.length);
    const buf = out.buf;
    const start = buf.length - data.length;
    buf.set(data, start);
    this.buf = buf;
    this.p = start;
    this.dataEnd = buf.length;
    for (let k = 0; k < this.special.length; k++) this.nextAt[k] = -1;
    this.refresh(start);
  }

  /** Whether the batch was consumed exactly: the columns matched the rows. */
  done(): boolean {
    const ok = this.p === this.dataEnd;
    this.buf = Buffer.alloc(0);
    return ok;
  }

  /** Moves every special-byte position that lies before `from` to its next occurrence. */
  private refresh(from: number): void {
    const buf = this.buf;
    const end = this.dataEnd;
    let min = end;
    for (let k = 0; k < this.special.length; k++) {
      let at = this.nextAt[k]!;
      if (at < from) {
        const found = buf.indexOf(this.special[k]!, from);
        at = found < 0 ? end : found;
        this.nextAt[k] = at;
      }
      if (at < min) min = at;
    }
    this.nextSpecial = min;
  }

  /** Appends the batch's next row to `out`: `(v1,…,vn)`, or for tsv `v1\t…\tvn` (no newline). */
  row(out: ByteBuilder): void {
    const buf = this.buf;
    const tsv = this.tsv;
    const separator = tsv ? 0x09 : 0x2c;
    let p = this.p;
    // The packet header: payload length (3 bytes; 0xffffff = in the 8 bytes after it) and a sequence byte.
    let payload = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    p += 4;
    if (payload === 0xffffff) {
      payload = buf.readUInt32LE(p) + buf.readUInt32LE(p + 4) * 2 ** 32;
      p += 8;
    }
    const dataEnd = p + payload;
    if (dataEnd > this.dataEnd) throw new RangeError('row batch ends inside a row');
    let o = out.length;
    if (!tsv) buf[o++] = 0x28; // (
    for (let i = 0; i < this.n; i++) {
      if (i > 0) buf[o++] = separator;
      let len = buf[p++]!;
      if (len >= 0xfb) {
        if (len === 0xfb) {
          const nul = this.nullBytes;
          for (let j = 0; j < nul.length; j++) buf[o++] = nul[j]!;
          continue;
        }
        if (len === 0xfc) {
          len = buf[p]! | (buf[p + 1]! << 8);
          p += 2;
        } else if (len === 0xfd) {
          len = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
          p += 3;
        } else {
          len = buf.readUInt32LE(p) + buf.readUInt32LE(p + 4) * 2 ** 32;
          p += 8;
        }
      }
      const end = p + len;
      if (end > dataEnd) throw new RangeError('a row ends inside a value');
      const open = this.opens[i]!;
      for (let j = 0; j < open.length; j++) buf[o++] = open[j]!;
      const mode = this.modes[i]!;
      if (mode === Mode.Raw) {
        o = moveBytes(buf, o, p, end);
      } else if (mode === Mode.Escape) {
        if (end > this.nextSpecial) this.refresh(p);
        o = end <= this.nextSpecial ? moveBytes(buf, o, p, end) : escapeWithin(buf, o, p, end, this.letter);
      } else {
        o += buf.write(buf.toString('hex', p, end), o, 'latin1');
      }
      const close = this.closes[i]!;
      if (close >= 0) buf[o++] = close;
      p = end;
    }
    if (p !== dataEnd) throw new RangeError(`a row has ${p < dataEnd ? 'more' : 'fewer'} values than the ${this.n} columns of the SELECT`);
    if (!tsv) buf[o++] = 0x29; // )
    out.length = o;
    this.p = p;
  }
}

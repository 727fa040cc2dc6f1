import { Transform, type TransformCallback } from 'node:stream';
import { moveBytes, SQL_ESCAPES, TSV_ESCAPES } from '../core/encode-values.ts';
import { ParadumpError } from '../core/errors.ts';
import type { ChunkRecord, TableRecord } from '../core/manifest.ts';
import { DATA_PREAMBLE } from '../core/data-file.ts';
import { quoteId, qualified } from '../core/sql-names.ts';

/** Where the rewriter is; every state survives a chunk boundary, so no token is ever reassembled. */
const enum S {
  /** At the start of a line between statements: a comment, the preamble, or an INSERT. */
  Line,
  /** Expecting `(` (a row) after `VALUES ` or `,`. */
  Row,
  Value,
  /** Inside '…'. */
  Text,
  TextEscape,
  /** After `_`: the introducer's charset name, then `'` or ` X'`. */
  Introducer,
  IntroducerSpace,
  /** After `X`: expecting `'`. */
  HexOpen,
  Hex,
  /** Inside NULL: `pending` counts the letters still expected. */
  Null,
  Number,
  /** After a value: `,` (next value) or `)` (end of row). */
  AfterValue,
  /** After a row: `,` (next row) or `;`. */
  AfterRow,
  /** After `;`: expecting the newline. */
  AfterStatement,
}

const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const TAB = 0x09;
const NL = 0x0a;
const COMMA = 0x2c;
const OPEN = 0x28;
const CLOSE = 0x29;
const NULL_REST = Buffer.from('ULL', 'latin1');

/** The longest line outside an INSERT (comments, preamble) the rewriter holds before giving up. */
const MAX_LINE = 64 * 1024;

/**
 * A SQL escape's letter → the byte it stands for (-1 for letters the dump never writes): the
 * inverse of the table `RowEncoder` escapes SQL strings by, so the two cannot drift apart.
 */
const UNESCAPE = new Int16Array(256).fill(-1);
for (const byte of SQL_ESCAPES.special) UNESCAPE[SQL_ESCAPES.letter[byte]!] = byte;

/** A byte → the tsv escape letter for it (0: written as is): `RowEncoder`'s tsv table itself. */
const TSV_LETTER = TSV_ESCAPES.letter;

/**
 * A value's first byte → the literal it starts: `'…'`, `_cs'…'`, `X'…'`, NULL or a number
 * (`Line`, never a value's state, for any other byte).
 */
const VALUE_START = new Uint8Array(256).fill(S.Line);
VALUE_START[QUOTE] = S.Text;
VALUE_START[0x5f /* _ */] = S.Introducer;
VALUE_START[0x58 /* X */] = S.HexOpen;
VALUE_START[0x4e /* N */] = S.Null;
for (let b = 0; b < 256; b++) if (isNumberByte(b)) VALUE_START[b] = S.Number;

/**
 * Rewrites a SQL data file, as `dump --format sql` writes it, into the lines `--format tsv` writes
 * for the same rows, byte for byte: so a SQL dump restores through `LOAD DATA LOCAL INFILE`, which
 * costs the server far less than parsing INSERTs. Only the dump's own shapes are accepted — its
 * header comments, its preamble, `INSERT INTO <this table> (<these columns>) VALUES (…),(…);` and
 * the literals `RowEncoder` writes (NULL, numbers, '…' with its escapes, `_cs'…'`, `X'…'`,
 * `_cs X'…'`); anything else stops the load. Each row must hold one value per column, and the
 * file's closing `-- rows: N` must match the rows read.
 */
export class SqlToTsv extends Transform {
  rows = 0;
  private state = S.Line;
  private readonly insertPrefix: Buffer;
  private readonly preamble: Set<string>;
  private readonly columns: number;
  private readonly file: string;
  private readonly table: string;
  /** The line being read in `Line` state (until it is known to be the INSERT prefix, or ends). */
  private line: number[] = [];
  /** Whether `line` so far is the start of the INSERT prefix. */
  private maybeInsert = true;
  private column = 0;
  private pending = 0;
  /** The count in the file's `-- rows: N` line, once read. */
  private declaredRows: number | null = null;

  constructor(table: Pick<TableRecord, 'database' | 'table' | 'columns'>, chunk: Pick<ChunkRecord, 'file'>) {
    super();
    this.insertPrefix = Buffer.from(`INSERT INTO ${quoteId(table.table)} (${table.columns.map((c) => quoteId(c)).join(',')}) VALUES `, 'utf8');
    this.preamble = new Set(DATA_PREAMBLE.split('\n').filter((l) => l.length > 0));
    this.columns = table.columns.length;
    this.file = chunk.file;
    this.table = qualified(table.database, table.table);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // The chunk goes to the back half of one buffer and is rewritten into the front, so every
    // value is moved with copyWithin inside one buffer: no view object per value (Buffer#copy
    // makes one, which cost more than the rewriting itself). Every input byte makes at most two
    // output bytes (a tab becomes `\t`), so the front never reaches input not yet read.
    const n = chunk.length;
    const buf = Buffer.allocUnsafe(2 * n);
    chunk.copy(buf, n);
    let o: number;
    try {
      o = this.rewrite(buf, n);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (o > 0) this.push(buf.subarray(0, o));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.state !== S.Line || this.line.length > 0) {
      done(this.invalid('the file ends inside a statement'));
      return;
    }
    if (this.declaredRows !== null && this.declaredRows !== this.rows) {
      done(this.invalid(`it says it holds ${this.declaredRows} rows, but ${this.rows} were read`));
      return;
    }
    done();
  }

  private invalid(why: string): ParadumpError {
    return new ParadumpError('MANIFEST_INVALID', `${this.file}: not a data file of ${this.table} as paradump writes them: ${why}`, { details: { reason: 'UNEXPECTED_STATEMENT', file: this.file } });
  }

  /**
   * Rewrites the input at `buf[from..)` into `buf[0..)`; returns the bytes written. The loop handles
   * the states that write output or run over many bytes (strings, numbers, hex); the one-byte
   * syntax between them (the INSERT prefix, `(`, `,`, `)`, `;`, NULL's letters, …) is `syntaxByte`'s.
   */
  private rewrite(buf: Buffer, from: number): number {
    const out = buf;
    const n = buf.length;
    let o = 0;
    let i = from;
    // Where the next backslash and tab are (n when none is left): a string's bytes up to the
    // nearest of those and its closing quote are copied in one piece.
    let nextBackslash = -1;
    let nextTab = -1;
    let state = this.state;
    while (i < n) {
      switch (state) {
        case S.Value: {
          const b = buf[i]!;
          state = VALUE_START[b]!;
          if (state === S.Line) throw this.invalid(`unexpected byte 0x${b.toString(16)} at the start of a value`);
          // A number's first byte is the number's own (the Number state copies it); the others' is syntax.
          if (state !== S.Number) i++;
          if (state === S.Null) {
            out[o++] = BACKSLASH;
            out[o++] = 0x4e;
            this.pending = NULL_REST.length;
          }
          break;
        }
        case S.Text: {
          if (nextBackslash < i) nextBackslash = indexOrEnd(buf, BACKSLASH, i);
          if (nextTab < i) nextTab = indexOrEnd(buf, TAB, i);
          const quote = indexOrEnd(buf, QUOTE, i);
          const stop = Math.min(quote, nextBackslash, nextTab);
          o = moveBytes(buf, o, i, stop);
          i = stop;
          if (i === n) break;
          const b = buf[i++]!;
          if (b === QUOTE) state = S.AfterValue;
          else if (b === BACKSLASH) state = S.TextEscape;
          else {
            out[o++] = BACKSLASH;
            out[o++] = 0x74; // a tab in a field is `\t`
          }
          break;
        }
        case S.TextEscape:
          o = this.unescape(buf[i++]!, out, o);
          state = S.Text;
          break;
        case S.Hex: {
          // Hex digits go through as they are: the loader's UNHEX reads them (see loadDataSql).
          const b = buf[i++]!;
          if (b === QUOTE) state = S.AfterValue;
          else if (isHexDigit(b)) out[o++] = b;
          else throw this.invalid('unexpected byte in a hex literal');
          break;
        }
        case S.Number: {
          let j = i;
          while (j < n && isNumberByte(buf[j]!)) j++;
          o = moveBytes(buf, o, i, j);
          i = j;
          if (i < n) state = S.AfterValue;
          break;
        }
        case S.AfterValue: {
          const b = buf[i++]!;
          if (b === COMMA) {
            if (++this.column >= this.columns) throw this.invalid(`a row has more than the ${this.columns} columns`);
            out[o++] = TAB;
            state = S.Value;
          } else {
            state = this.endRow(b);
            out[o++] = NL;
          }
          break;
        }
        default:
          state = this.syntaxByte(state, buf[i++]!);
      }
    }
    this.state = state;
    return o;
  }

  /** One byte of the syntax around the values, which writes nothing: the state it leads to. */
  private syntaxByte(state: S, b: number): S {
    switch (state) {
      case S.Line:
        return this.lineByte(b);
      case S.Row:
        if (b !== OPEN) throw this.invalid('expected ( to start a row');
        this.column = 0;
        return S.Value;
      case S.Introducer:
        // `_charset` then `'…'` (a string) or ` X'…'` (hex).
        if (b === QUOTE) return S.Text;
        if (b === 0x20) return S.IntroducerSpace;
        if (!isNameByte(b)) throw this.invalid('unexpected byte in a character set introducer');
        return S.Introducer;
      case S.IntroducerSpace:
        if (b !== 0x58) throw this.invalid("expected X'…' after a character set introducer");
        return S.HexOpen;
      case S.HexOpen:
        if (b !== QUOTE) throw this.invalid("expected ' after X");
        return S.Hex;
      case S.Null:
        if (b !== NULL_REST[NULL_REST.length - this.pending]) throw this.invalid('unexpected word where a value should be');
        return --this.pending === 0 ? S.AfterValue : S.Null;
      case S.AfterRow:
        if (b === COMMA) return S.Row;
        if (b === 0x3b /* ; */) return S.AfterStatement;
        throw this.invalid(`unexpected byte 0x${b.toString(16)} after a row`);
      case S.AfterStatement:
        if (b !== NL) throw this.invalid('expected a newline after a statement');
        this.maybeInsert = true;
        return S.Line;
      default:
        throw new ParadumpError('INTERNAL', `sql-to-tsv: state ${state} has no syntax step`);
    }
  }

  /** One byte of a line between statements: the line is the INSERT prefix (then a row follows) or ends here. */
  private lineByte(b: number): S {
    const line = this.line;
    line.push(b);
    const prefix = this.insertPrefix;
    if (this.maybeInsert && b === prefix[line.length - 1]) {
      if (line.length !== prefix.length) return S.Line;
      this.line = [];
      return S.Row;
    }
    this.maybeInsert = false;
    if (b === NL) {
      this.endLine(line);
      this.line = [];
      this.maybeInsert = true;
    } else if (line.length > MAX_LINE) {
      throw this.invalid('a line outside the INSERTs is too long');
    }
    return S.Line;
  }

  /** The letter after a backslash in a string, written as the tsv escape of the byte it stands for. */
  private unescape(escaped: number, out: Buffer, o: number): number {
    const byte = UNESCAPE[escaped]!;
    if (byte < 0) throw this.invalid(`unexpected escape \\${String.fromCharCode(escaped)} in a string`);
    const letter = TSV_LETTER[byte]!;
    if (letter === 0) {
      out[o++] = byte;
      return o;
    }
    out[o++] = BACKSLASH;
    out[o++] = letter;
    return o;
  }

  /** After a row's last value: `)`, and the row must hold one value per column. */
  private endRow(b: number): S {
    if (b !== CLOSE) throw this.invalid(`unexpected byte 0x${b.toString(16)} after a value`);
    if (this.column + 1 !== this.columns) throw this.invalid(`a row has ${this.column + 1} values for ${this.columns} columns`);
    this.rows++;
    return S.AfterRow;
  }

  /** A whole line that is not an INSERT: a header comment, the trailer, or a preamble statement. */
  private endLine(bytes: number[]): void {
    const text = Buffer.from(bytes).toString('utf8', 0, bytes.length - 1);
    const rows = /^-- rows: (\d+)$/.exec(text);
    if (rows) {
      this.declaredRows = Number(rows[1]);
      return;
    }
    if (text.startsWith('-- ') || this.preamble.has(text)) return;
    throw this.invalid(`unexpected statement: ${text.slice(0, 60)}`);
  }
}

/** Digits, sign, decimal point and exponent: the bytes of a number the dump writes bare. */
function isNumberByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45;
}

function isHexDigit(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

function isNameByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x5f;
}

function indexOrEnd(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? buf.length : at;
}


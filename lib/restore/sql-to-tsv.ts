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

  /** Rewrites the input at `buf[from..)` into `buf[0..)`; returns the bytes written. */
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
        case S.Line: {
          const b = buf[i++]!;
          const line = this.line;
          line.push(b);
          const prefix = this.insertPrefix;
          if (this.maybeInsert && b === prefix[line.length - 1]) {
            if (line.length === prefix.length) {
              this.line = [];
              state = S.Row;
            }
            break;
          }
          this.maybeInsert = false;
          if (b === NL) {
            this.endLine(line);
            this.line = [];
            this.maybeInsert = true;
          } else if (line.length > MAX_LINE) {
            throw this.invalid('a line outside the INSERTs is too long');
          }
          break;
        }
        case S.Row: {
          if (buf[i++] !== OPEN) throw this.invalid('expected ( to start a row');
          this.column = 0;
          state = S.Value;
          break;
        }
        case S.Value: {
          const b = buf[i]!;
          if (b === QUOTE) {
            i++;
            state = S.Text;
          } else if (b === 0x5f /* _ */) {
            i++;
            state = S.Introducer;
          } else if (b === 0x58 /* X */) {
            i++;
            state = S.HexOpen;
          } else if (b === 0x4e /* N */) {
            i++;
            out[o++] = BACKSLASH;
            out[o++] = 0x4e;
            this.pending = NULL_REST.length;
            state = S.Null;
          } else if (isNumberByte(b)) {
            state = S.Number;
          } else {
            throw this.invalid(`unexpected byte 0x${b.toString(16)} at the start of a value`);
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
        case S.TextEscape: {
          const byte = UNESCAPE[buf[i++]!]!;
          if (byte < 0) throw this.invalid(`unexpected escape \\${String.fromCharCode(buf[i - 1]!)} in a string`);
          const letter = TSV_LETTER[byte]!;
          if (letter !== 0) {
            out[o++] = BACKSLASH;
            out[o++] = letter;
          } else {
            out[o++] = byte;
          }
          state = S.Text;
          break;
        }
        case S.Introducer: {
          const b = buf[i++]!;
          if (b === QUOTE) state = S.Text;
          else if (b === 0x20) state = S.IntroducerSpace;
          else if (!isNameByte(b)) throw this.invalid('unexpected byte in a character set introducer');
          break;
        }
        case S.IntroducerSpace: {
          if (buf[i++] !== 0x58) throw this.invalid("expected X'…' after a character set introducer");
          state = S.HexOpen;
          break;
        }
        case S.HexOpen: {
          if (buf[i++] !== QUOTE) throw this.invalid("expected ' after X");
          state = S.Hex;
          break;
        }
        case S.Hex: {
          // Hex digits go through as they are: the loader's UNHEX reads them (see loadDataSql).
          const b = buf[i++]!;
          if (b === QUOTE) state = S.AfterValue;
          else if (isHexDigit(b)) out[o++] = b;
          else throw this.invalid('unexpected byte in a hex literal');
          break;
        }
        case S.Null: {
          if (buf[i++] !== NULL_REST[NULL_REST.length - this.pending]) throw this.invalid('unexpected word where a value should be');
          if (--this.pending === 0) state = S.AfterValue;
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
          } else if (b === CLOSE) {
            if (this.column + 1 !== this.columns) throw this.invalid(`a row has ${this.column + 1} values for ${this.columns} columns`);
            out[o++] = NL;
            this.rows++;
            state = S.AfterRow;
          } else {
            throw this.invalid(`unexpected byte 0x${b.toString(16)} after a value`);
          }
          break;
        }
        case S.AfterRow: {
          const b = buf[i++]!;
          if (b === COMMA) state = S.Row;
          else if (b === 0x3b /* ; */) state = S.AfterStatement;
          else throw this.invalid(`unexpected byte 0x${b.toString(16)} after a row`);
          break;
        }
        case S.AfterStatement: {
          if (buf[i++] !== NL) throw this.invalid('expected a newline after a statement');
          this.maybeInsert = true;
          state = S.Line;
          break;
        }
      }
    }
    this.state = state;
    return o;
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


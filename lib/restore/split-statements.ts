import { Transform, type TransformCallback } from 'node:stream';
import { ParadumpError } from '../core/errors.ts';

/** Where the scanner is. Lookahead states (`DASH1`, `SLASH`, …) let a token span two chunks. */
const enum S {
  Normal,
  /** Inside '…' (backslash escapes; '' is two adjacent strings, which splits the same way). */
  Single,
  SingleEscape,
  Double,
  DoubleEscape,
  /** Inside `…` (`` is two adjacent identifiers, which splits the same way). */
  Backtick,
  LineComment,
  BlockComment,
  BlockStar,
  /** Saw `-` in Normal: a line comment needs `--` and a space or control character. */
  Dash1,
  Dash2,
  /** Saw `/` in Normal: `/*` starts a comment. */
  Slash,
}

const SEMI = 0x3b;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const HASH = 0x23;
const BANG = 0x21;
const NL = 0x0a;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/**
 * Bytes that, in Normal state inside a statement, neither start a token of interest nor are
 * whitespace: they only extend the statement (digits, letters, `,()=.+*`, bytes ≥ 0x80 …). The
 * byte-at-a-time loop treats each of them alike; this lets a tight loop skip whole runs of them.
 */
const PLAIN = new Uint8Array(256);
for (let b = 0x21; b < 0x100; b++) PLAIN[b] = 1;
for (const b of [SEMI, QUOTE, DQUOTE, BACKTICK, DASH, SLASH, HASH, 0x7f]) PLAIN[b] = 0;

/** The largest statement the server could ever take (max_allowed_packet tops out at 1 GiB). */
export const MAX_STATEMENT_BYTES = 1024 * 1024 * 1024;

/**
 * Splits SQL bytes into statements at top-level `;`, the way the server's lexer sees them: `'…'`
 * and `"…"` with backslash escapes, `` `…` `` identifiers (which may hold `;`, quotes and newlines),
 * `-- ` and `#` line comments, block comments. Executable comments (`/*!40101 … *\/`, `/*M!…`)
 * count as content. Comment-only pieces are dropped; each statement is the exact bytes from its
 * first significant byte to just before its `;` (never decoded, so any charset survives; a comment
 * inside a statement becomes a space). Feed it chunks of any size: only the statement in progress
 * is held.
 */
export class StatementScanner {
  private state: S = S.Normal;
  /** Slices of the statement in progress, from its first significant byte. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Whether the statement in progress has anything but whitespace and comments. */
  private significant = false;
  /** Bytes held back because they might start a comment (`-`, `--`, `/`, `/*`, `/*M`). */
  private held: Buffer | null = null;
  private out: (statement: Buffer) => void = () => undefined;
  /** Whether the block comment being read is executable (`/*!…`): its bytes are content. */
  private blockExecutable = false;
  /** Start, in the chunk being scanned, of the bytes that belong to the statement and are not yet
   * appended; -1 = none (whitespace and comments before the first significant byte are skipped). */
  private run = -1;
  /** The next backslash at or after the scan in the chunk being scanned (its length: none). */
  private backslash = -1;
  statements = 0;

  constructor(private readonly maxStatementBytes = MAX_STATEMENT_BYTES) {}

  /** Scans `chunk`, calling `onStatement` for every statement it completes. */
  feed(chunk: Buffer, onStatement: (statement: Buffer) => void): void {
    this.out = onStatement;
    this.scan(chunk);
  }

  /** End of input: the last statement may lack its `;`. Throws if the input stops inside a quote. */
  end(onStatement: (statement: Buffer) => void): void {
    this.out = onStatement;
    if (this.held) {
      // A lone `-` or `/` at the very end is content; an unterminated `/*` is a comment.
      if (this.held[0] === SLASH && this.held[1] === STAR) this.held = null;
      else this.addSignificant(this.held, 0, this.held.length);
      this.held = null;
    }
    if (this.state === S.Single || this.state === S.SingleEscape || this.state === S.Double || this.state === S.DoubleEscape) {
      throw new ParadumpError('MANIFEST_INVALID', 'the SQL ends inside a string literal (the file is truncated or damaged)', { details: { reason: 'TRUNCATED_STATEMENT' } });
    }
    if (this.state === S.Backtick) {
      throw new ParadumpError('MANIFEST_INVALID', 'the SQL ends inside a quoted identifier (the file is truncated or damaged)', { details: { reason: 'TRUNCATED_STATEMENT' } });
    }
    if (this.significant) this.emitStatement();
    else this.reset();
  }

  private reset(): void {
    this.parts = [];
    this.partsBytes = 0;
    this.significant = false;
  }

  private emitStatement(): void {
    const stmt = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    this.reset();
    this.statements++;
    this.out(stmt);
  }

  private append(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(buf.subarray(start, end));
    this.partsBytes += end - start;
    if (this.partsBytes > this.maxStatementBytes) {
      throw new ParadumpError('MANIFEST_INVALID', `a statement is larger than ${this.maxStatementBytes} bytes (no terminating ";" found)`, { details: { reason: 'STATEMENT_TOO_LARGE' } });
    }
  }

  private addSignificant(buf: Buffer, start: number, end: number): void {
    this.significant = true;
    this.append(buf, start, end);
  }

  /**
   * Scans one chunk (after any bytes held back from the last). Each state is a step of its own
   * below; a step looks at the byte at `i` (or skips to the next byte of interest) and returns
   * where the scan goes on.
   */
  private scan(input: Buffer): void {
    let buf = input;
    if (this.held) {
      buf = Buffer.concat([this.held, input]);
      this.held = null;
    }
    const n = buf.length;
    const state = this.state;
    this.run = this.significant && state !== S.LineComment && state !== S.BlockComment && state !== S.BlockStar ? 0 : -1;
    if (this.blockExecutable && (state === S.BlockComment || state === S.BlockStar)) this.run = 0;
    this.backslash = -1;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case S.Normal:
          i = this.normal(buf, i, n);
          break;
        case S.Single:
          i = this.single(buf, i, n);
          break;
        case S.SingleEscape:
          this.state = S.Single;
          i++;
          break;
        case S.Double:
          i = this.double(buf, i, n);
          break;
        case S.DoubleEscape:
          this.state = S.Double;
          i++;
          break;
        case S.Backtick:
          i = this.backtick(buf, i, n);
          break;
        case S.LineComment:
          i = this.lineComment(buf, i, n);
          break;
        case S.BlockComment:
          i = this.blockComment(buf, i, n);
          break;
        case S.BlockStar:
          this.blockStar(buf[i]!);
          i++;
          break;
        case S.Dash1:
          i = this.dash1(buf[i]!, i);
          break;
        case S.Dash2:
          i = this.dash2(buf, i);
          break;
        case S.Slash:
          i = this.slash(buf, i, n);
          // The bytes from `/*` on are held for the next chunk: nothing more of this one to scan.
          if (i < 0) return;
          break;
      }
    }
    this.endChunk(buf, n);
  }

  /** Lookahead states at the end of the chunk hold their bytes back so the next chunk decides. */
  private endChunk(buf: Buffer, n: number): void {
    const state = this.state;
    if (state === S.Dash1 || state === S.Dash2 || state === S.Slash) {
      const back = state === S.Dash2 ? 2 : 1;
      this.cut(buf, n - back);
      this.held = Buffer.from(buf.subarray(n - back));
      this.state = S.Normal;
      return;
    }
    if (this.run >= 0 && n > this.run) this.append(buf, this.run, n);
  }

  /** The byte at `at` belongs to the statement: starts a run of bytes to append if none is open. */
  private begin(at: number): void {
    if (this.run < 0) this.run = at;
  }

  /** Ends the run before a comment (or `;`) starting at `at`. */
  private cut(buf: Buffer, at: number): void {
    if (this.run >= 0 && at > this.run) this.append(buf, this.run, at);
    this.run = -1;
  }

  /** A byte that starts something significant: a quote, or any content byte. */
  private opens(at: number, state: S): void {
    this.begin(at);
    this.significant = true;
    this.state = state;
  }

  private normal(buf: Buffer, i: number, n: number): number {
    const b = buf[i]!;
    if (PLAIN[b] === 1 && this.significant) {
      // Numbers, commas, parentheses, words: runs of bytes that only extend the statement.
      this.begin(i);
      i++;
      while (i < n && PLAIN[buf[i]!] === 1) i++;
      return i;
    }
    if (b === SEMI) {
      this.cut(buf, i);
      if (this.significant) this.emitStatement();
      else this.reset();
    } else if (b === QUOTE) {
      this.opens(i, S.Single);
    } else if (b === DQUOTE) {
      this.opens(i, S.Double);
    } else if (b === BACKTICK) {
      this.opens(i, S.Backtick);
    } else if (b === DASH) {
      this.state = S.Dash1;
    } else if (b === SLASH) {
      this.state = S.Slash;
    } else if (b === HASH) {
      this.cut(buf, i);
      this.state = S.LineComment;
    } else if (!isSpace(b)) {
      this.opens(i, S.Normal);
    } else if (this.significant) {
      this.begin(i);
    }
    return i + 1;
  }

  private single(buf: Buffer, i: number, n: number): number {
    // The closing quote by memchr; a backslash before it means an escape. `backslash` is the
    // next backslash at or after i (n: none), looked up again only once passed, so a buffer
    // is searched for backslashes once in all, not once per string.
    if (this.backslash < i) {
      const at = buf.indexOf(BACKSLASH, i);
      this.backslash = at < 0 ? n : at;
    }
    const quote = buf.indexOf(QUOTE, i);
    const stop = quote < 0 ? n : quote;
    if (this.backslash < stop) {
      this.state = S.SingleEscape;
      return this.backslash + 1;
    }
    if (quote < 0) return n;
    this.state = S.Normal;
    return quote + 1;
  }

  private double(buf: Buffer, i: number, n: number): number {
    while (i < n && buf[i] !== DQUOTE && buf[i] !== BACKSLASH) i++;
    if (i === n) return n;
    this.state = buf[i] === DQUOTE ? S.Normal : S.DoubleEscape;
    return i + 1;
  }

  private backtick(buf: Buffer, i: number, n: number): number {
    while (i < n && buf[i] !== BACKTICK) i++;
    if (i === n) return n;
    this.state = S.Normal;
    return i + 1;
  }

  private lineComment(buf: Buffer, i: number, n: number): number {
    const nl = buf.indexOf(NL, i);
    if (nl < 0) return n;
    this.state = S.Normal;
    // The newline ends the comment and separates tokens: keep it inside a statement.
    if (this.significant) this.run = nl;
    return nl + 1;
  }

  private blockComment(buf: Buffer, i: number, n: number): number {
    while (i < n && buf[i] !== STAR) i++;
    if (i === n) return n;
    this.state = S.BlockStar;
    return i + 1;
  }

  private blockStar(b: number): void {
    if (b === SLASH) {
      this.state = S.Normal;
      if (!this.blockExecutable && this.significant) {
        // A comment separates tokens: `a/*x*/b` is `a b`.
        this.append(SPACE, 0, 1);
      }
      this.blockExecutable = false;
    } else if (b !== STAR) {
      this.state = S.BlockComment;
    }
  }

  private dash1(b: number, i: number): number {
    if (b === DASH) {
      this.state = S.Dash2;
      return i + 1;
    }
    // A lone `-` (minus) is content; this byte is looked at again in Normal.
    this.opens(i - 1, S.Normal);
    return i;
  }

  private dash2(buf: Buffer, i: number): number {
    if (buf[i]! <= 0x20) {
      // `-- ` (or `--` and a control character): a comment from the first dash.
      this.cut(buf, i - 2);
      this.state = S.LineComment;
      return i + 1;
    }
    // `--x` is two minus signs.
    this.opens(i - 2, S.Normal);
    return i;
  }

  /** After `/`: `/*` opens a comment, executable (`/*!`, `/*M!`: content) or not; else `/` is content. Returns -1 when it must wait for the next chunk. */
  private slash(buf: Buffer, i: number, n: number): number {
    if (buf[i] !== STAR) {
      this.opens(i - 1, S.Normal);
      return i;
    }
    if (i + 2 >= n) {
      // Cannot tell yet whether this is `/*!` or `/*M!`: hold the bytes for the next chunk.
      this.cut(buf, i - 1);
      this.held = Buffer.from(buf.subarray(i - 1));
      this.state = S.Normal;
      return -1;
    }
    const executable = buf[i + 1] === BANG || (buf[i + 1] === 0x4d && buf[i + 2] === BANG);
    if (executable) {
      this.opens(i - 1, S.BlockComment);
      this.blockExecutable = true;
    } else {
      this.cut(buf, i - 1);
      this.state = S.BlockComment;
    }
    return i + 1;
  }
}

const SPACE = Buffer.from(' ');

/** A stream of SQL bytes in, statements (Buffers) out, with backpressure. */
export class StatementSplitter extends Transform {
  private readonly scanner: StatementScanner;
  private readonly onStatement = (s: Buffer) => {
    this.push(s);
  };

  constructor(maxStatementBytes = MAX_STATEMENT_BYTES) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 4 });
    this.scanner = new StatementScanner(maxStatementBytes);
  }

  get statements(): number {
    return this.scanner.statements;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.scanner.feed(chunk, this.onStatement);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.scanner.end(this.onStatement);
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}

/** All statements of a small in-memory SQL text (schema and object files). */
export function splitStatements(sql: Buffer | string): Buffer[] {
  const scanner = new StatementScanner();
  const out: Buffer[] = [];
  const collect = (s: Buffer) => {
    out.push(s);
  };
  scanner.feed(typeof sql === 'string' ? Buffer.from(sql, 'utf8') : sql, collect);
  scanner.end(collect);
  return out;
}

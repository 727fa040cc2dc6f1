import { ParadumpError } from '../core/errors.ts';
import { AT_LINE, binlogLines, compareBinlogPoints, GTID_SET_LINE, HEADER_LINE, isCommentLine, stateKey, type BinlogPoint } from './binlog-lines.ts';

/** Where the replay has got to: the end of the last transaction it applied. */
export interface TimelinePoint extends BinlogPoint {
  gtid: string | null;
  /** When the source logged the transaction (UTC, from its event header; the reader runs with TZ=UTC). */
  loggedAt?: string | null;
}

export interface TimelineOptions {
  /**
   * Each reader's output (one `mariadb-binlog` per database, filtered and renamed by the reader).
   * The first must start earliest: it sees every transaction the others see, and its lines between
   * transactions (format descriptions, rotations, the preamble and the end) are the ones passed on.
   */
  readers: { chunks: AsyncIterable<Buffer | string>; startFile: string }[];
  /** The statement (without delimiter) recording a point, run inside the transaction it ends. */
  progressStatement: (point: TimelinePoint) => string;
  /** Leave out the source's GTIDs so the server gives the replayed transactions its own. */
  freshGtids: boolean;
  /** After each transaction that changed something has been passed on. */
  onTransaction?: (point: TimelinePoint) => void;
}

const END_OF_LOG = '# End of log file';
const TERMINATORS = new Set(['COMMIT/*!*/;', 'ROLLBACK/*!*/;']);
const FLUSH_AT = 64 * 1024;
const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;

/** One reader's lines with one line of lookahead, the file it is in and the session state it set. */
class ReaderCursor {
  file: string;
  /** The end of the last event whose header was read, in `file`. */
  lastEnd = 0;
  readonly state = new Map<string, string>();
  /** Its output reached the reader's own end (`# End of log file`), not a cut-off. */
  finished = false;
  private readonly lines: AsyncIterator<string>;
  private held: string[] = [];
  done = false;

  constructor(chunks: AsyncIterable<Buffer | string>, startFile: string) {
    this.lines = binlogLines(chunks)[Symbol.asyncIterator]();
    this.file = startFile;
  }

  async next(): Promise<string | null> {
    const line = this.held.pop() ?? (await this.read());
    if (line === null) return null;
    return line;
  }

  unread(line: string): void {
    this.held.push(line);
  }

  private async read(): Promise<string | null> {
    if (this.done) return null;
    const r = await this.lines.next();
    if (r.done) {
      this.done = true;
      return null;
    }
    this.observe(r.value);
    return r.value;
  }

  /** Files, positions and session state follow every line read, passed on or not. */
  private observe(line: string): void {
    if (line === END_OF_LOG) this.finished = true;
    const header = HEADER_LINE.exec(line);
    if (header) {
      const rotate = /\tRotate to (\S+)/.exec(line);
      if (rotate) this.file = rotate[1]!;
      else this.lastEnd = Number(header[1]);
      return;
    }
    const key = stateKey(line);
    if (key !== null) this.state.set(key, line);
  }
}

interface SegmentStart {
  at: string;
  header: string;
  point: BinlogPoint;
  gtid: string | null;
}

/**
 * Reads up to the next transaction (its `# at` line followed by a GTID event's header), giving the
 * lines before it to `pass` (or dropping them when `pass` is null). Null at the end of the output.
 */
async function nextSegment(cursor: ReaderCursor, pass: ((line: string) => void) | null): Promise<SegmentStart | null> {
  let at: string | null = null;
  for (;;) {
    const line = await cursor.next();
    if (line === null) {
      if (at !== null) pass?.(at);
      return null;
    }
    if (AT_LINE.test(line)) {
      if (at !== null) pass?.(at);
      at = line;
      continue;
    }
    if (at !== null && HEADER_LINE.test(line) && line.includes('\tGTID ')) {
      const gtid = /\tGTID (\d+-\d+-\d+)/.exec(line)?.[1] ?? null;
      return { at, header: line, point: { file: cursor.file, position: Number(AT_LINE.exec(at)![1]) }, gtid };
    }
    if (at !== null) pass?.(at);
    at = null;
    pass?.(line);
  }
}

/** The lines after a GTID event's header that begin the transaction: its GTID and START TRANSACTION. */
async function readHeader(cursor: ReaderCursor): Promise<{ lines: string[]; transactional: boolean }> {
  const lines: string[] = [];
  let transactional = false;
  for (;;) {
    const line = await cursor.next();
    if (line === null) break;
    const afterBegin = line === '/*!*/;' && /^(?:START TRANSACTION|BEGIN|XA START .*)$/.test(lines.at(-1) ?? '');
    if (GTID_SET_LINE.test(line) || /^(?:START TRANSACTION|BEGIN|XA START .*)$/.test(line) || afterBegin) {
      if (/^(?:START TRANSACTION|BEGIN|XA START)/.test(line)) transactional = true;
      lines.push(line);
      continue;
    }
    cursor.unread(line);
    break;
  }
  return { lines, transactional };
}

/** The merged text on its way to the client, in chunks of about FLUSH_AT bytes. */
class TimelineOutput {
  private lines: string[] = [];
  private size = 0;
  /** The reader whose statement was passed on last (see Transaction.speak). */
  lastSpeaker: ReaderCursor | null = null;

  emit(line: string): void {
    this.lines.push(line);
    this.size += line.length + 1;
  }
  get full(): boolean {
    return this.size >= FLUSH_AT;
  }
  get empty(): boolean {
    return this.lines.length === 0;
  }
  flush(): Buffer {
    const chunk = Buffer.from(this.lines.join('\n') + '\n', 'latin1');
    this.lines = [];
    this.size = 0;
    return chunk;
  }
}

/**
 * One transaction of the timeline: its header goes out with the first line that changes something,
 * so a transaction of which no reader has a share is left out; its end point is recorded inside it.
 */
class Transaction {
  private opened = false;
  recorded = false;
  end: BinlogPoint;
  readonly points: TimelinePoint[] = [];

  constructor(
    private readonly out: TimelineOutput,
    private readonly options: TimelineOptions,
    private readonly start: SegmentStart,
    private readonly header: { lines: string[]; transactional: boolean },
  ) {
    this.end = start.point;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** A line that changes nothing (comments, positions, GTID assignments): only inside an open transaction. */
  pass(line: string): void {
    if (this.opened) this.out.emit(line);
  }

  speak(cursor: ReaderCursor, line: string): void {
    if (!this.opened) {
      this.opened = true;
      this.out.emit(this.start.at);
      this.out.emit(this.start.header);
      for (const h of this.header.lines) if (!(this.options.freshGtids && GTID_SET_LINE.test(h))) this.out.emit(h);
    }
    if (this.out.lastSpeaker !== cursor) {
      // The reader prints session state only when it changes in its own output: after another
      // reader's statements, say this reader's state again before its next one.
      if (this.out.lastSpeaker !== null) for (const s of cursor.state.values()) if (s !== line) this.out.emit(s);
      this.out.lastSpeaker = cursor;
    }
    this.out.emit(line);
  }

  record(): void {
    this.recorded = true;
    const point: TimelinePoint = { ...this.end, gtid: this.start.gtid, loggedAt: headerTime(this.start.header) };
    this.out.emit(`${this.options.progressStatement(point)}/*!*/;`);
    this.points.push(point);
  }
}

/** The readers whose next transaction is the lead's (the others start later). */
async function participantsOf(cursors: ReaderCursor[], starts: (SegmentStart | null | undefined)[], start: SegmentStart): Promise<ReaderCursor[]> {
  const participants = [cursors[0]!];
  for (let i = 1; i < cursors.length; i++) {
    if (starts[i] === undefined) starts[i] = await nextSegment(cursors[i]!, null);
    const s = starts[i];
    if (!s) continue;
    const order = compareBinlogPoints(s.point, start.point);
    if (order < 0) throw outOfStep(s, start);
    if (order === 0) {
      participants.push(cursors[i]!);
      starts[i] = undefined;
    }
  }
  return participants;
}

/**
 * Merges the readers' outputs into one timeline in commit order: every transaction once, with each
 * reader's share of it (its databases' row events), so a transaction that touched several databases
 * is applied whole or not at all. Transactions that change nothing selected are left out; each one
 * kept records its end point with `progressStatement` inside itself, so the target always knows
 * exactly how far it has been rolled forward.
 */
export async function* mergeTimeline(options: TimelineOptions): AsyncGenerator<Buffer> {
  const cursors = options.readers.map((r) => new ReaderCursor(r.chunks, r.startFile));
  const lead = cursors[0];
  if (!lead) return;
  const out = new TimelineOutput();
  const starts: (SegmentStart | null | undefined)[] = cursors.map(() => undefined);
  for (;;) {
    const start = await nextSegment(lead, (line) => out.emit(line));
    if (start === null) break;
    const participants = await participantsOf(cursors, starts, start);
    const header = await readHeader(lead);
    for (const p of participants.slice(1)) await readHeader(p);
    const tx = new Transaction(out, options, start, header);
    const terminators: (string | null)[] = [];
    for (const cursor of participants) {
      const body = { terminator: null as string | null };
      yield* passShare({ tx, cursor, isLead: cursor === lead, body: passBody(cursor, header.transactional, body), transactional: header.transactional, out, file: start.point.file });
      terminators.push(body.terminator);
    }
    if (header.transactional) {
      if (terminators[0] === null) {
        // The stop point cut this transaction: the reader ends it with ROLLBACK; nothing is recorded.
      } else if (terminators.some((t) => t === null)) {
        throw new ParadumpError('INTERNAL', `a binlog reader ended in the middle of the transaction at ${start.point.file}:${start.point.position}: it is not applied`, { details: { reason: 'READER_ENDED_EARLY' } });
      } else if (tx.isOpen) {
        tx.record();
        out.emit(terminators[0]!);
      }
    } else if (tx.isOpen && !tx.recorded) tx.record();
    for (const point of tx.points) options.onTransaction?.(point);
    if (out.full) yield out.flush();
  }
  for (let i = 1; i < cursors.length; i++) {
    const s = starts[i] === undefined ? await nextSegment(cursors[i]!, null) : starts[i];
    if (s) throw outOfStep(s, null);
  }
  // A reader whose output stopped short would have left its databases' shares out unnoticed.
  const short = cursors.findIndex((c) => !c.finished);
  if (short >= 0) throw new ParadumpError('INTERNAL', `binlog reader ${short + 1} of ${cursors.length} ended without reaching the end of its output: the replay is not complete`, { details: { reason: 'READER_ENDED_EARLY' } });
  if (!out.empty) yield out.flush();
}

/** One reader's share of a transaction, passed on line by line. */
async function* passShare(p: { tx: Transaction; cursor: ReaderCursor; isLead: boolean; body: AsyncGenerator<string>; transactional: boolean; out: TimelineOutput; file: string }): AsyncGenerator<Buffer> {
  const { tx, cursor } = p;
  let inBinlog = false;
  for await (const line of p.body) {
    if (isCommentLine(line) || line === '' || GTID_SET_LINE.test(line)) tx.pass(line);
    else {
      // Filtering by database, the reader leaves out the `BINLOG '` that opened a statement's row
      // events when the first of them belonged to another database: put it back.
      if (line === "BINLOG '") inBinlog = true;
      else if (!inBinlog && BASE64_LINE.test(line)) {
        tx.speak(cursor, "BINLOG '");
        inBinlog = true;
      }
      const closesBinlog = inBinlog && line.startsWith("'");
      tx.speak(cursor, line);
      // A DDL is recorded right after its statement, before any rotation or the reader's end.
      if (!p.transactional && !tx.recorded && !inBinlog && endsStatement(line)) tx.record();
      if (closesBinlog) inBinlog = false;
    }
    if (p.isLead && HEADER_LINE.test(line) && cursor.file === p.file) tx.end = { file: p.file, position: cursor.lastEnd };
    if (p.out.full) yield p.out.flush();
  }
}

/**
 * A transaction's body: for one that began with START TRANSACTION, up to its COMMIT (put in
 * `result.terminator`, not yielded); for a DDL, up to the next transaction.
 */
async function* passBody(cursor: ReaderCursor, transactional: boolean, result: { terminator: string | null }): AsyncGenerator<string> {
  let at: string | null = null;
  for (;;) {
    const line = await cursor.next();
    if (line === null) break;
    if (transactional && TERMINATORS.has(line)) {
      if (at !== null) yield at;
      result.terminator = line;
      return;
    }
    if (!transactional) {
      if (AT_LINE.test(line)) {
        if (at !== null) yield at;
        at = line;
        continue;
      }
      if (at !== null && HEADER_LINE.test(line) && line.includes('\tGTID ')) {
        cursor.unread(line);
        cursor.unread(at);
        return;
      }
      if (at !== null) yield at;
      at = null;
    }
    yield line;
  }
  if (at !== null) yield at;
}

/** `#261207  1:57:40 server id …` → 2026-12-07T01:57:40.000Z. */
function headerTime(line: string): string | null {
  const m = /^#(\d\d)(\d\d)(\d\d) +(\d\d?):(\d\d):(\d\d) /.exec(line);
  return m ? `20${m[1]}-${m[2]}-${m[3]}T${m[4]!.padStart(2, '0')}:${m[5]}:${m[6]}.000Z` : null;
}

/** The last line of a statement in the reader's output (not a session-state line). */
function endsStatement(line: string): boolean {
  return line.endsWith('/*!*/;') && stateKey(line) === null && !line.startsWith('SET TIMESTAMP=') && !line.startsWith("'");
}

function outOfStep(s: SegmentStart, lead: SegmentStart | null): ParadumpError {
  return new ParadumpError('INTERNAL', `the binlog readers are out of step: one is at ${s.point.file}:${s.point.position} (${s.gtid ?? 'no GTID'}) where the first is ${lead ? `at ${lead.point.file}:${lead.point.position}` : 'at its end'}`, {
    details: { reason: 'READERS_OUT_OF_STEP' },
  });
}

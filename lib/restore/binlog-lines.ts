/**
 * The text `mariadb-binlog` prints, line by line, without decoding it: latin1 keeps every byte as
 * one character, so a line written back as latin1 is the bytes that were read.
 */
export async function* binlogLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let tail = '';
  for await (const chunk of chunks) {
    const text = tail + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      yield text.slice(start, nl);
      start = nl + 1;
    }
    tail = text.slice(start);
  }
  if (tail !== '') yield tail;
}

/** `# at 1234`: where the next event starts. */
export const AT_LINE = /^# at (\d+)$/;
/** An event's header comment: `#261207  1:57:40 server id 7  end_log_pos 1845 CRC32 0x… \tGTID 0-7-10 trans`. */
export const HEADER_LINE = /^#\d{6} +\d{1,2}:\d\d:\d\d server id \d+ +end_log_pos (\d+)/;
/** What the reader assigns the next transaction's GTID with (and what a fresh-GTID replay leaves out). */
export const GTID_SET_LINE = /^\/\*M?!\d+ SET @@session\.(?:gtid_seq_no|gtid_domain_id|server_id|skip_parallel_replication)=[^*]*\*\/\/\*!\*\/;$/;
/** Session state a Query event depends on, printed by the reader only when it changes. */
const STATE_LINE = /^(?:SET @@session\.([a-z_]+)=|(\/\*!\\C )|(use ))/;

export function isCommentLine(line: string): boolean {
  return AT_LINE.test(line) || HEADER_LINE.test(line) || line.startsWith('#Q> ') || line.startsWith('# Number of rows: ');
}

/** The key a session-state line sets (`sql_mode`, `\C`, `use`, …), or null for other lines. */
export function stateKey(line: string): string | null {
  const m = STATE_LINE.exec(line);
  if (!m) return null;
  return m[1] ?? m[2] ?? m[3] ?? null;
}

/** `binlog.000042` → 42: files of one server's log sort by their number. */
export function binlogFileNumber(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

export interface BinlogPoint {
  file: string;
  position: number;
}

export function compareBinlogPoints(a: BinlogPoint, b: BinlogPoint): number {
  const fa = binlogFileNumber(a.file);
  const fb = binlogFileNumber(b.file);
  return fa !== fb ? fa - fb : a.position - b.position;
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeTimeline, type TimelinePoint } from './binlog-timeline.ts';

// Real output of mariadb-binlog 10.11 for one binlog, read twice: --database=a --rewrite-db=a->ra
// and --database=b --rewrite-db=b->rb, from position 1165. Transactions: 7 inserts into a.t, 8 into
// b.t, 9 into c.t (neither), 10 updates a.t, b.t and c.t, 11 is one UPDATE a.t JOIN b.t, 12 inserts
// into a.t.
const fixture = (name: string) => readFile(path.join(import.meta.dirname, '../../test/fixtures/binlog', name));

async function merged(options: { freshGtids?: boolean; chunk?: number } = {}) {
  const [a, b] = await Promise.all([fixture('reader-a.txt'), fixture('reader-b.txt')]);
  async function* chunks(buffer: Buffer) {
    const size = options.chunk ?? buffer.length;
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  }
  const points: TimelinePoint[] = [];
  const parts: Buffer[] = [];
  for await (const part of mergeTimeline({
    readers: [
      { chunks: chunks(a), startFile: 'binlog.000001' },
      { chunks: chunks(b), startFile: 'binlog.000001' },
    ],
    freshGtids: options.freshGtids ?? false,
    progressStatement: (p) => `UPDATE progress SET at = '${p.file}:${p.position}', gtid = '${p.gtid}'`,
    onTransaction: (p) => points.push(p),
  })) {
    parts.push(part);
  }
  return { text: Buffer.concat(parts).toString('latin1'), points };
}

const transaction = (text: string, seq: number) => {
  const start = text.indexOf(`SET @@session.gtid_seq_no=${seq}*/`);
  return start < 0 ? null : text.slice(start, text.indexOf('COMMIT/*!*/;', start) + 'COMMIT/*!*/;'.length);
};

describe('mergeTimeline', () => {
  it('passes every transaction once, in commit order, each reader\'s share inside it, and leaves out the ones that change nothing selected', async () => {
    const { text, points } = await merged();
    expect(points.map((p) => p.gtid)).toEqual(['0-7-7', '0-7-8', '0-7-10', '0-7-11', '0-7-12']);
    expect(points.map((p) => p.position)).toEqual([1388, 1596, 2307, 2641, 2849]);
    expect(transaction(text, 9)).toBeNull();
    // Transaction 10 changed both databases: one START TRANSACTION … COMMIT with both shares.
    const ten = transaction(text, 10)!;
    expect(ten.match(/START TRANSACTION/g)).toHaveLength(1);
    // The table map events, base64: `ra` encodes as …AAnJh…, `rb` as …AAnJi….
    expect(ten.match(/^BINLOG '$/gm)).toHaveLength(2);
    expect(ten).toContain('AAnJhAAF0');
    expect(ten).toContain('AAnJiAAF0');
    expect(ten.indexOf("UPDATE progress SET at = 'binlog.000001:2307', gtid = '0-7-10'")).toBeLessThan(ten.indexOf('COMMIT/*!*/;'));
    expect(text.match(/^COMMIT\/\*!\*\/;$/gm)).toHaveLength(5);
  });

  it('puts back the BINLOG line the second reader leaves out of a statement that touched both databases', async () => {
    const eleven = transaction((await merged()).text, 11)!;
    const binlogs = eleven.match(/^BINLOG '$/gm) ?? [];
    const closes = eleven.match(/^'\/\*!\*\/;$/gm) ?? [];
    expect(binlogs).toHaveLength(2);
    expect(closes).toHaveLength(2);
  });

  it('keeps the preamble and the end of the first reader only', async () => {
    const { text } = await merged();
    expect(text.match(/^DELIMITER \/\*!\*\/;$/gm)).toHaveLength(1);
    expect(text.match(/^ROLLBACK \/\* added by mysqlbinlog \*\/;$/gm)).toHaveLength(1);
    expect(text.trimEnd().endsWith('/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;')).toBe(true);
  });

  it('gives the same text whatever the reads\' sizes', async () => {
    const whole = await merged();
    for (const chunk of [1, 7, 100, 4096]) expect((await merged({ chunk })).text).toBe(whole.text);
  });

  it('leaves the source\'s GTIDs out when the server is to give its own', async () => {
    const { text } = await merged({ freshGtids: true });
    expect(text).not.toMatch(/SET @@session\.gtid_seq_no=/);
    expect(text.match(/^START TRANSACTION$/gm)).toHaveLength(5);
  });
});

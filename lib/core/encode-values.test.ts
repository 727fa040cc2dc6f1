import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ValueEncoding } from './column-kind.ts';
import { ByteBuilder, RowEncoder, type RowFormat } from './encode-values.ts';

type Value = Buffer | null;
type Column = { encoding: ValueEncoding; charset: string | null };

/** The literal rules of docs/manifest.md, one byte at a time: what the fast encoder must match. */
function reference(columns: Column[], row: Value[]): string {
  const esc = (v: Buffer) => {
    let s = '';
    for (const b of v) {
      const e = ({ 0x00: '\\0', 0x0a: '\\n', 0x0d: '\\r', 0x1a: '\\Z', 0x27: "\\'", 0x5c: '\\\\' } as Record<number, string>)[b];
      s += e ?? String.fromCharCode(b);
    }
    return s;
  };
  const parts = row.map((v, i) => {
    if (v === null) return 'NULL';
    const c = columns[i]!;
    switch (c.encoding) {
      case 'number':
        return v.toString('latin1');
      case 'quoted':
        return `'${v.toString('latin1')}'`;
      case 'utf8':
        return `'${esc(v)}'`;
      case 'charset':
        return `_${c.charset}'${esc(v)}'`;
      case 'binary':
        return `_binary'${esc(v)}'`;
      case 'charset-hex':
        return `_${c.charset} X'${v.toString('hex')}'`;
      case 'hex':
        return `X'${v.toString('hex')}'`;
    }
  });
  return `(${parts.join(',')})`;
}

/** The LOAD DATA field rules of docs/manifest.md (tab-separated, `\N` for NULL, hex unquoted). */
function referenceTsv(columns: Column[], row: Value[]): string {
  const esc = (v: Buffer) => {
    let s = '';
    for (const b of v) s += ({ 0x00: '\\0', 0x09: '\\t', 0x0a: '\\n', 0x5c: '\\\\' } as Record<number, string>)[b] ?? String.fromCharCode(b);
    return s;
  };
  return row
    .map((v, i) => {
      if (v === null) return '\\N';
      const e = columns[i]!.encoding;
      if (e === 'number' || e === 'quoted') return v.toString('latin1');
      if (e === 'hex' || e === 'charset-hex') return v.toString('hex');
      return esc(v);
    })
    .join('\t');
}

/** A row packet as streamRaw batches it: the wire header (or the long form), then length-coded values. */
function packet(row: Value[], longHeader = false): Buffer {
  const parts: Buffer[] = [];
  for (const v of row) {
    if (v === null) parts.push(Buffer.from([0xfb]));
    else if (v.length < 251) parts.push(Buffer.from([v.length]), v);
    else if (v.length < 1 << 16) parts.push(Buffer.from([0xfc, v.length & 0xff, v.length >> 8]), v);
    else if (v.length < 1 << 24) parts.push(Buffer.from([0xfd, v.length & 0xff, (v.length >> 8) & 0xff, v.length >> 16]), v);
    else {
      const n = Buffer.alloc(9);
      n[0] = 0xfe;
      n.writeUInt32LE(v.length, 1);
      parts.push(n, v);
    }
  }
  const payload = Buffer.concat(parts);
  if (longHeader || payload.length >= 0xffffff) {
    const h = Buffer.alloc(12);
    h.writeUIntLE(0xffffff, 0, 3);
    h.writeUInt32LE(payload.length, 4);
    return Buffer.concat([h, payload]);
  }
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  h[3] = randomInt(256); // the sequence byte: anything, including bytes that need escaping
  return Buffer.concat([h, payload]);
}

function encodeBatch(columns: Column[], rows: Value[][], longHeaders = false, format: RowFormat = 'sql'): string[] {
  const enc = new RowEncoder(columns, format);
  const out = new ByteBuilder(64);
  out.ascii('prefix that stays: ');
  const data = Buffer.concat(rows.map((r) => packet(r, longHeaders)));
  enc.begin(out, data, rows.length);
  const ends: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    enc.row(out);
    ends.push(out.length);
  }
  expect(enc.done()).toBe(true);
  const text = out.view().toString('latin1');
  expect(text.startsWith('prefix that stays: ')).toBe(true);
  return ends.map((end, i) => text.slice(i === 0 ? 'prefix that stays: '.length : ends[i - 1]!, end));
}

const ALL: Column[] = [
  { encoding: 'number', charset: null },
  { encoding: 'quoted', charset: null },
  { encoding: 'utf8', charset: 'utf8mb4' },
  { encoding: 'charset', charset: 'latin1' },
  { encoding: 'binary', charset: 'binary' },
  { encoding: 'charset-hex', charset: 'utf16' },
  { encoding: 'hex', charset: null },
];

function randomValue(maxLength: number, specialBias: boolean): Value {
  if (randomInt(8) === 0) return null;
  const n = randomInt(maxLength + 1);
  const v = randomBytes(n);
  for (let i = 0; i < n; i++) {
    if (!specialBias) v[i] = 0x30 + (v[i]! % 10); // clean: the copy-in-one-piece path
    else if (randomInt(3) === 0) v[i] = [0x00, 0x09, 0x0a, 0x0d, 0x1a, 0x27, 0x5c, 0xfb][randomInt(8)]!;
  }
  return v;
}

describe('RowEncoder', () => {
  it('matches the byte-by-byte rules for every encoding, with and without bytes to escape', () => {
    for (let round = 0; round < 30; round++) {
      const rows = Array.from({ length: 200 }, () => ALL.map(() => randomValue(round % 3 === 0 ? 300 : 40, round % 2 === 0)));
      const got = encodeBatch(ALL, rows);
      rows.forEach((r, i) => expect(got[i]).toBe(reference(ALL, r)));
    }
  });

  it('writes LOAD DATA fields by the tsv rules: tab, newline, NUL and backslash escaped, NULL as \\N', () => {
    for (let round = 0; round < 30; round++) {
      const rows = Array.from({ length: 200 }, () => ALL.map(() => randomValue(round % 3 === 0 ? 300 : 40, round % 2 === 0)));
      const got = encodeBatch(ALL, rows, false, 'tsv');
      rows.forEach((r, i) => expect(got[i]).toBe(referenceTsv(ALL, r)));
    }
    // The text `\N` must not read back as NULL, nor an empty string as one.
    const cols: Column[] = [{ encoding: 'utf8', charset: 'utf8mb4' }, { encoding: 'utf8', charset: 'utf8mb4' }, { encoding: 'number', charset: null }];
    expect(encodeBatch(cols, [[Buffer.from('\\N'), Buffer.alloc(0), null]], false, 'tsv')).toEqual(['\\\\N\t\t\\N']);
  });

  it('reads 2-, 3- and 8-byte value lengths and the long packet header', () => {
    const cols: Column[] = [{ encoding: 'utf8', charset: 'utf8mb4' }, { encoding: 'number', charset: null }];
    const big = Buffer.alloc(70_000, 0x61);
    big[69_999] = 0x27;
    const huge = Buffer.alloc((1 << 24) + 5, 0x62);
    const rows: Value[][] = [
      [Buffer.alloc(250, 0x5c), Buffer.from('1')],
      [Buffer.alloc(251, 0x41), Buffer.from('2')],
      [big, null],
      [huge, Buffer.from('3')],
      [Buffer.alloc(0), Buffer.from('4')],
    ];
    const got = encodeBatch(cols, rows);
    rows.forEach((r, i) => expect(got[i]).toBe(reference(cols, r)));
    const again = encodeBatch(cols, rows.slice(0, 2), true);
    expect(again).toEqual(got.slice(0, 2));
  });

  it('refuses a row whose values do not match the columns', () => {
    const enc = new RowEncoder([{ encoding: 'number', charset: null }]);
    const out = new ByteBuilder();
    enc.begin(out, packet([Buffer.from('1'), Buffer.from('2')]), 1);
    expect(() => enc.row(out)).toThrow(/more values/);
  });
});

import { randomBytes, randomInt } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { ValueEncoding } from '../core/column-kind.ts';
import { ByteBuilder, RowEncoder } from '../core/encode-values.ts';
import { DATA_PREAMBLE } from '../core/data-file.ts';
import { SqlToTsv } from './sql-to-tsv.ts';

type Value = Buffer | null;
type Column = { name: string; encoding: ValueEncoding; charset: string | null };

const COLUMNS: Column[] = [
  { name: 'id', encoding: 'number', charset: null },
  { name: 'at', encoding: 'quoted', charset: null },
  { name: 'u', encoding: 'utf8', charset: 'utf8mb4' },
  { name: 'l', encoding: 'charset', charset: 'latin1' },
  { name: 'b', encoding: 'binary', charset: 'binary' },
  { name: 'w', encoding: 'charset-hex', charset: 'utf16' },
  { name: 'g', encoding: 'hex', charset: null },
];
const TABLE = { database: 'db', table: 'odd `name`', columns: COLUMNS.map((c) => c.name) };

/** Values as the server sends them: numbers and dates in their text forms, strings any bytes. */
function randomValue(c: Column): Value {
  if (randomInt(6) === 0) return null;
  if (c.encoding === 'number') return Buffer.from(['-12', '0', '3.25', '1.5e-10', '18446744073709551615', '-0.0001'][randomInt(6)]!, 'latin1');
  if (c.encoding === 'quoted') return Buffer.from(['2026-11-24 06:00:00', '00:00:00.123456', '2000-01-01'][randomInt(3)]!, 'latin1');
  const v = randomBytes(randomInt(60));
  // Plenty of the bytes either format escapes: NUL, tab, newline, CR, ^Z, quote, backslash.
  for (let i = 0; i < v.length; i++) if (randomInt(3) === 0) v[i] = [0x00, 0x09, 0x0a, 0x0d, 0x1a, 0x27, 0x5c, 0x4e][randomInt(8)]!;
  return v;
}

function packet(row: Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of row) {
    if (v === null) parts.push(Buffer.from([0xfb]));
    else parts.push(Buffer.from([v.length]), v);
  }
  const payload = Buffer.concat(parts);
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  return Buffer.concat([h, payload]);
}

/** Each row encoded by the dump's RowEncoder in `format`. */
function encodeRows(rows: Value[][], format: 'sql' | 'tsv'): Buffer[] {
  const enc = new RowEncoder(COLUMNS, format);
  const out = new ByteBuilder(64);
  enc.begin(out, Buffer.concat(rows.map(packet)), rows.length);
  const ends: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    enc.row(out);
    ends.push(out.length);
  }
  expect(enc.done()).toBe(true);
  return ends.map((end, i) => Buffer.from(out.view(i === 0 ? 0 : ends[i - 1]!, end)));
}

/** A SQL data file laid out as the dump writes it (header, preamble, INSERTs of `perStatement` rows, trailer). */
function sqlFile(rows: Value[][], perStatement: number, trailerRows = rows.length): Buffer {
  const tuples = encodeRows(rows, 'sql');
  const prefix = Buffer.from("INSERT INTO `odd ``name``` (`id`,`at`,`u`,`l`,`b`,`w`,`g`) VALUES ", 'utf8');
  const parts: Buffer[] = [Buffer.from(`-- paradump chunk 3 of \`db\`.\`odd \`\`name\`\`\`\n-- range: [1, 9) (lower inclusive, upper exclusive)\n${DATA_PREAMBLE}`, 'utf8')];
  for (let r = 0; r < tuples.length; r += perStatement) {
    const group = tuples.slice(r, r + perStatement);
    parts.push(prefix, Buffer.concat(group.flatMap((t, k) => (k === 0 ? [t] : [Buffer.from(','), t]))), Buffer.from(';\n'));
  }
  parts.push(Buffer.from(`-- rows: ${trailerRows}\n`));
  return Buffer.concat(parts);
}

async function rewrite(file: Buffer, pieceSize: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < file.length; i += pieceSize) pieces.push(file.subarray(i, i + pieceSize));
  const out: Buffer[] = [];
  const rewriter = new SqlToTsv(TABLE, { file: 'data/db/t.00003.sql' });
  await pipeline(
    Readable.from(pieces),
    rewriter,
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('SqlToTsv', () => {
  it('turns a SQL data file into the exact tsv lines the dump writes for the same rows, however the file is cut', async () => {
    for (let round = 0; round < 12; round++) {
      const rows = Array.from({ length: 150 }, () => COLUMNS.map(randomValue));
      const expected = Buffer.concat(encodeRows(rows, 'tsv').flatMap((line) => [line, Buffer.from('\n')]));
      const file = sqlFile(rows, 1 + randomInt(40));
      // Pieces of 1 byte cut every token and escape in two; the others are the usual reads.
      const got = await rewrite(file, [1, 2, 3, 7, 64, 4096, file.length][round % 7]!);
      expect(got.equals(expected)).toBe(true);
    }
  });

  it('an empty chunk (header, preamble, `-- rows: 0`) gives an empty file', async () => {
    expect((await rewrite(sqlFile([], 10), 5)).length).toBe(0);
  });

  it('refuses anything the dump does not write, naming the file', async () => {
    const rows = Array.from({ length: 5 }, () => COLUMNS.map(randomValue));
    const good = sqlFile(rows, 2).toString('latin1');
    const cases: [string, RegExp][] = [
      [good.replace('INSERT INTO `odd ``name```', 'INSERT INTO `other`'), /unexpected statement: INSERT INTO `other`/],
      [good.replace("SET SESSION time_zone = '+00:00'", "SET SESSION time_zone = '+01:00'"), /unexpected statement: SET SESSION/],
      [good + 'DROP TABLE x;\n', /unexpected statement: DROP TABLE x;/],
      [good.replace(/-- rows: \d+/, '-- rows: 99'), /says it holds 99 rows, but 5 were read/],
      [good.replace(/\),\(/, ')'), /after a row/],
      [good.slice(0, good.lastIndexOf(';\n-- rows')), /ends inside a statement/],
    ];
    for (const [text, message] of cases) {
      const error = (await rewrite(Buffer.from(text, 'latin1'), 13).catch((e: unknown) => e)) as Error & { code?: string };
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/^data\/db\/t\.00003\.sql: /);
      expect(error.code).toBe('MANIFEST_INVALID');
    }
    // One value too few or too many in a row, and an escape the dump never writes.
    const two = (v: string) => Buffer.from(`INSERT INTO \`odd \`\`name\`\`\` (\`id\`,\`at\`,\`u\`,\`l\`,\`b\`,\`w\`,\`g\`) VALUES ${v};\n`, 'latin1');
    await expect(rewrite(two("(1,'2000-01-01','a',_latin1'b',_binary'c',_utf16 X'0041')"), 9)).rejects.toThrow(/6 values for 7 columns/);
    await expect(rewrite(two("(1,'2000-01-01','a',_latin1'b',_binary'c',_utf16 X'0041',X'01',2)"), 9)).rejects.toThrow(/more than the 7 columns/);
    await expect(rewrite(two("(1,'2000-01-01','a\\x',_latin1'b',_binary'c',_utf16 X'0041',X'01')"), 9)).rejects.toThrow(/unexpected escape \\x/);
  });
});

import { describe, expect, it } from 'vitest';
import { StatementScanner, splitStatements } from './split-statements.ts';

const texts = (sql: string | Buffer) => splitStatements(sql).map((b) => b.toString('latin1'));

/** Feeds `input` in pieces cut at `cuts`, returning the statements as latin1 strings. */
function splitInPieces(input: Buffer, cuts: number[]): string[] {
  const scanner = new StatementScanner();
  const out: string[] = [];
  const collect = (s: Buffer) => out.push(s.toString('latin1'));
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    scanner.feed(input.subarray(prev, c), collect);
    prev = c;
  }
  scanner.end(collect);
  return out;
}

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops comment-only pieces', () => {
    expect(texts('SELECT 1; SELECT 2;\n-- rows: 2\n')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(texts('-- header\n-- range: x\n/*!40101 SET NAMES utf8mb4 */;\nSET a = 1;')).toEqual(['/*!40101 SET NAMES utf8mb4 */', 'SET a = 1']);
    expect(texts('  \n ; ;; SELECT 3')).toEqual(['SELECT 3']);
  });

  it('keeps semicolons and comment markers inside strings, identifiers and escapes', () => {
    expect(texts("INSERT INTO t VALUES ('a;b','it\\'s;','\\\\',';--x');")).toEqual(["INSERT INTO t VALUES ('a;b','it\\'s;','\\\\',';--x')"]);
    expect(texts("SELECT 'a''b;c';")).toEqual(["SELECT 'a''b;c'"]);
    expect(texts('SELECT "x;\\"y;";')).toEqual(['SELECT "x;\\"y;"']);
    expect(texts('INSERT INTO `we``ird;\n-- not a comment` (`a;b`) VALUES (1);')).toEqual(['INSERT INTO `we``ird;\n-- not a comment` (`a;b`) VALUES (1)']);
    expect(texts("SELECT _binary'\\0\\n\\r\\Z\\'\\\\;', X'3B';")).toEqual(["SELECT _binary'\\0\\n\\r\\Z\\'\\\\;', X'3B'"]);
  });

  it('treats comments the way the server does', () => {
    expect(texts('SELECT 1 -- c; still comment\n, 2;')).toEqual(['SELECT 1 \n, 2']);
    expect(texts('SELECT 1 # c;\n;')).toEqual(['SELECT 1 \n']);
    expect(texts('SELECT 3--1;')).toEqual(['SELECT 3--1']);
    expect(texts('SELECT a/*x;*/b;')).toEqual(['SELECT a b']);
    expect(texts('/* lead */ SELECT 1;')).toEqual(['SELECT 1']);
    expect(texts('SELECT 1 /*!50000 ; */;')).toEqual(['SELECT 1 /*!50000 ; */']);
    expect(texts('/*M!100101 SET x=1 */;')).toEqual(['/*M!100101 SET x=1 */']);
    expect(texts('SELECT 1 - 2 / 3;')).toEqual(['SELECT 1 - 2 / 3']);
    expect(texts('SELECT 5-')).toEqual(['SELECT 5-']);
  });

  it('keeps raw bytes of any charset untouched', () => {
    const bytes = Buffer.concat([Buffer.from("INSERT INTO t VALUES (_latin1'"), Buffer.from([0xe9, 0x80, 0xff, 0x3b, 0x5c, 0x27]), Buffer.from("');")]);
    const [stmt] = splitStatements(bytes);
    expect(stmt).toEqual(bytes.subarray(0, bytes.length - 1));
  });

  it('refuses input that ends inside a string or identifier', () => {
    expect(() => splitStatements("INSERT INTO t VALUES ('abc")).toThrow(/ends inside a string literal/);
    expect(() => splitStatements('INSERT INTO `t')).toThrow(/ends inside a quoted identifier/);
  });

  it('gives the same statements whatever the chunk boundaries', () => {
    const sql = Buffer.from(
      "-- head\n/*!40101 SET NAMES utf8mb4 */;\nSET x = 1, y = 'a;b';\nINSERT INTO `t``;` (`a`,`b`) VALUES (1,'it\\'s'),(-2,--3),(4/2,'/*');\n" +
        "SELECT 1 -- tail;\n;/* c */SELECT 2 # x\n;/*M!1 x*/;\n-- rows: 3\n",
      'utf8',
    );
    const whole = texts(sql);
    expect(whole).toHaveLength(6);
    for (let cut = 0; cut <= sql.length; cut++) expect(splitInPieces(sql, [cut])).toEqual(whole);
    for (let a = 0; a <= sql.length; a += 3) for (let b = a; b <= sql.length; b += 5) expect(splitInPieces(sql, [a, b])).toEqual(whole);
    const everyByte = Array.from({ length: sql.length }, (_, i) => i);
    expect(splitInPieces(sql, everyByte)).toEqual(whole);
  });
});

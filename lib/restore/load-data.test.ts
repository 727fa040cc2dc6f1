import { describe, expect, it } from 'vitest';
import { loadDataSql } from './load-data.ts';

describe('loadDataSql', () => {
  it('assigns plain fields straight in and the rest through a variable and an expression', () => {
    const sql = loadDataSql({
      table: 'we`ird',
      columns: ['id', 'note', 'latin', 'bits', 'shape', 'wide', 'ip', 'raw'],
      columnEncodings: [
        { name: 'id', encoding: 'number', charset: null },
        { name: 'note', encoding: 'utf8', charset: 'utf8mb4' },
        { name: 'latin', encoding: 'charset', charset: 'latin1' },
        { name: 'bits', encoding: 'hex', charset: null },
        { name: 'shape', encoding: 'hex', charset: null },
        { name: 'wide', encoding: 'charset-hex', charset: 'utf16' },
        { name: 'ip', encoding: 'utf8', charset: null },
        { name: 'raw', encoding: 'binary', charset: 'binary' },
      ],
    });
    expect(sql).toBe(
      "LOAD DATA LOCAL INFILE 'paradump.tsv' INTO TABLE `we``ird` CHARACTER SET binary " +
        "FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' STARTING BY '' " +
        '(`id`, `note`, `latin`, @p4, @p5, @p6, @p7, `raw`) ' +
        'SET `bits` = UNHEX(@p4), `shape` = UNHEX(@p5), `wide` = CONVERT(UNHEX(@p6) USING utf16), `ip` = CONVERT(@p7 USING utf8mb4)',
    );
  });

  it('has no SET clause when every field goes straight in', () => {
    expect(loadDataSql({ table: 't', columns: ['a'], columnEncodings: [{ name: 'a', encoding: 'number', charset: null }] })).toMatch(/\(`a`\)$/);
  });

  it('refuses a table without encodings, or with a charset name that is not one', () => {
    expect(() => loadDataSql({ table: 't', columns: ['a'] })).toThrow(/no column encodings for `t`: LOAD DATA needs them/);
    expect(() => loadDataSql({ table: 't', columns: ['a'], columnEncodings: [{ name: 'a', encoding: 'charset-hex', charset: 'utf16) x' }] })).toThrow(/unexpected character set name/);
  });
});

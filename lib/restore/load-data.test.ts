import { describe, expect, it } from 'vitest';
import { chooseLoadMethod, loadDataSql } from './load-data.ts';
import type { TargetConnection } from './target-connection.ts';

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

describe('chooseLoadMethod', () => {
  /** A target that answers only `@@GLOBAL.local_infile`, as the server reports it. */
  const target = (on: string | number) => ({ query: async () => [{ on }] }) as unknown as TargetConnection;
  type Tables = Parameters<typeof chooseLoadMethod>[0]['tables'];
  const encoded: Tables = [{ columns: ['a'], columnEncodings: [{ name: 'a', encoding: 'number', charset: null }] }];
  const older: Tables = [{ columns: ['a'] }];
  const choose = (on: string | number, format: 'sql' | 'tsv', requested: 'auto' | 'insert' | 'load-data', tables: Tables = encoded) =>
    chooseLoadMethod({ conn: target(on), format, requested, tables }).catch((e: { code: string }) => e.code);

  it('loads SQL dumps with LOAD DATA only where it can, and says why not when asked to', async () => {
    expect(await choose(1, 'sql', 'auto')).toBe('load-data');
    expect(await choose('ON', 'sql', 'auto')).toBe('load-data');
    expect(await choose(0, 'sql', 'auto')).toBe('insert');
    expect(await choose(1, 'sql', 'auto', older)).toBe('insert');
    expect(await choose(1, 'sql', 'insert')).toBe('insert');
    expect(await choose(0, 'sql', 'load-data')).toBe('LOCAL_INFILE_DISABLED');
    expect(await choose(1, 'sql', 'load-data', older)).toBe('BAD_OPTION');
  });

  it('loads tsv dumps with LOAD DATA or not at all; with no rows to load the setting does not matter', async () => {
    expect(await choose(1, 'tsv', 'auto')).toBe('load-data');
    expect(await choose('OFF', 'tsv', 'auto')).toBe('LOCAL_INFILE_DISABLED');
    expect(await choose(1, 'tsv', 'insert')).toBe('BAD_OPTION');
    expect(await choose(0, 'tsv', 'auto', [])).toBe('load-data');
  });
});

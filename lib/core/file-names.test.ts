import { describe, expect, it } from 'vitest';
import { dumpPaths, safeFileName } from './file-names.ts';

describe('safeFileName', () => {
  it('keeps plain names readable', () => {
    expect(safeFileName('orders_2024')).toBe('orders_2024');
  });
  it('never lets an identifier form a path or hide a separator', () => {
    for (const name of ['..', '../etc', 'a/b', '`x`', 'we`ird/ná.me "x"', '\0', '.', '']) {
      const f = safeFileName(name);
      expect(f).toMatch(/^[A-Za-z0-9_@~-]+$/);
      expect(f).not.toContain('..');
    }
  });
  it('is injective for names that differ only in escaped characters', () => {
    const names = ['a.b', 'a/b', 'a@2eb', 'a b', 'á', 'a\u0301', 'A', 'a'];
    expect(new Set(names.map(safeFileName)).size).toBe(names.length);
  });
  it('cuts very long names and keeps them distinct with a hash', () => {
    const a = safeFileName('ü'.repeat(64));
    const b = safeFileName('ü'.repeat(63) + 'x');
    expect(a.length).toBeLessThanOrEqual(120);
    expect(a).not.toBe(b);
  });
  it('builds chunk paths by compression', () => {
    expect(dumpPaths.chunk('db', 't/1', 3, 'zstd')).toBe('data/db/t@2f1.00003.sql.zst');
    expect(dumpPaths.chunk('db', 't', 12, 'none')).toBe('data/db/t.00012.sql');
  });
});

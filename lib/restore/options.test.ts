import { describe, expect, it } from 'vitest';
import { parseChunkIndexes, parseKeyBound, parseRenames, parseStopPoint } from './options.ts';

describe('restore option parsing', () => {
  it('parses stop points', () => {
    expect(parseStopPoint('end')).toEqual({ kind: 'end' });
    expect(parseStopPoint('binlog.000042:1234')).toEqual({ kind: 'position', file: 'binlog.000042', position: 1234 });
    expect(parseStopPoint('0-1-500')).toEqual({ kind: 'gtid', gtid: '0-1-500' });
    expect(parseStopPoint('0-1-500,1-2-7')).toEqual({ kind: 'gtid', gtid: '0-1-500,1-2-7' });
    expect(parseStopPoint('2026-11-23 12:00:00')).toEqual({ kind: 'datetime', at: new Date('2026-11-23T12:00:00Z') });
    expect(parseStopPoint('2026-11-23T14:00:00+02:00')).toEqual({ kind: 'datetime', at: new Date('2026-11-23T12:00:00Z') });
    expect(parseStopPoint('2026-11-23 12:00:00.000')).toEqual({ kind: 'datetime', at: new Date('2026-11-23T12:00:00Z') });
    expect(() => parseStopPoint('2026-02-30 12:00:00')).toThrow(/not a valid date/);
    expect(() => parseStopPoint('2026-11-23 12:00:00.5')).toThrow(/whole seconds/);
    expect(() => parseStopPoint('0-1-5,0-2-6')).toThrow(/names a domain twice/);
    expect(() => parseStopPoint('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5')).toThrow(/MySQL GTID sets .* not supported/);
    expect(() => parseStopPoint('soon')).toThrow(/not a stop point/);
  });

  it('parses key bounds, chunk lists and renames', () => {
    expect(parseKeyBound('k', '1000')).toEqual([1000]);
    expect(parseKeyBound('k', '18446744073709551615')).toEqual(['18446744073709551615']);
    expect(parseKeyBound('k', '[3, "b"]')).toEqual([3, 'b']);
    expect(parseKeyBound('k', '[18446744073709551615, "x"]')).toEqual(['18446744073709551615', 'x']);
    expect(parseKeyBound('k', 'abc')).toEqual(['abc']);
    expect(parseKeyBound('k', '{"hex":"00ff"}')).toEqual([{ hex: '00ff' }]);
    expect(() => parseKeyBound('k', '[true]')).toThrow(/not a key value/);
    expect(parseChunkIndexes('3,5-7, 1')).toEqual([1, 3, 5, 6, 7]);
    expect(() => parseChunkIndexes('7-5')).toThrow(/backwards/);
    expect(() => parseChunkIndexes('x')).toThrow(/not a chunk index/);
    expect(parseRenames(['a:b', 'c:d:e'])).toEqual({ a: 'b', c: 'd:e' });
    expect(() => parseRenames(['a:b', 'a:c'])).toThrow(/renamed twice/);
    expect(() => parseRenames([':b'])).toThrow(/must be source:target/);
  });
});

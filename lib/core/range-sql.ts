import { quoteId } from './sql-names.ts';
import type { RawValue } from './row-batch.ts';
import type { ColumnInfo } from './column-kind.ts';
import type { KeyValue } from './manifest.ts';

export type KeyColumn = Pick<ColumnInfo, 'name' | 'encoding' | 'charset'>;

/**
 * A key value as the manifest stores it: exact, JSON-safe, readable where it can be. Integers that
 * fit a double are numbers; larger ones and decimals are digit strings; UTF-8 text is a string;
 * anything else (other charsets, binary) is `{ hex }` of the bytes as stored.
 */
export function keyValueFromRaw(column: KeyColumn, raw: RawValue): KeyValue {
  if (raw === null) throw new TypeError(`key column ${column.name} returned NULL`);
  switch (column.encoding) {
    case 'number': {
      const text = raw.toString('latin1');
      if (/^-?\d+$/.test(text)) {
        const n = Number(text);
        if (Number.isSafeInteger(n)) return n;
      }
      return text;
    }
    case 'utf8':
    case 'quoted':
      return raw.toString('utf8');
    default:
      return { hex: raw.toString('hex') };
  }
}

const NUMBER_LITERAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const HEX = /^([0-9a-f]{2})*$/i;

function escapeText(text: string): string {
  return text.replace(/[\0\n\r\x1a'\\]/g, (c) => {
    switch (c) {
      case '\0':
        return '\\0';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\x1a':
        return '\\Z';
      default:
        return '\\' + c;
    }
  });
}

/**
 * An SQL literal for a key value, in the column's own charset so the comparison uses the column's
 * collation and its index. Values come from the manifest, which may have been edited: anything that
 * does not match its column's shape is refused rather than pasted into SQL.
 */
export function keyLiteral(column: KeyColumn, value: KeyValue): string {
  switch (column.encoding) {
    case 'number': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
      if (!NUMBER_LITERAL.test(text)) throw new TypeError(`key ${column.name}: ${JSON.stringify(value)} is not a number`);
      return text;
    }
    case 'utf8':
    case 'quoted': {
      if (typeof value !== 'string') throw new TypeError(`key ${column.name}: expected a string, got ${JSON.stringify(value)}`);
      const cs = column.charset?.toLowerCase();
      const introducer = cs === 'utf8mb3' || cs === 'utf8' ? '_utf8mb3' : '';
      return `${introducer}'${escapeText(value)}'`;
    }
    default: {
      if (typeof value !== 'object' || value === null || typeof value.hex !== 'string' || !HEX.test(value.hex)) {
        throw new TypeError(`key ${column.name}: expected { hex }, got ${JSON.stringify(value)}`);
      }
      const introducer = column.encoding === 'charset' || column.encoding === 'charset-hex' ? `_${column.charset} ` : '';
      return `${introducer}X'${value.hex}'`;
    }
  }
}

/**
 * `(a, b) > (x, y)` spelled out as `a > x OR (a = x AND b > y)`, with a leading `a >= x` so the
 * optimizer always sees a range on the index's first column (MariaDB does not turn row-constructor
 * comparisons into index ranges).
 */
function compareTuple(columns: readonly KeyColumn[], values: readonly KeyValue[], op: '>=' | '<'): string {
  if (columns.length !== values.length) throw new TypeError(`key has ${columns.length} columns but the bound has ${values.length} values`);
  const ids = columns.map((c) => quoteId(c.name));
  const lits = columns.map((c, i) => keyLiteral(c, values[i]!));
  if (columns.length === 1) return `${ids[0]} ${op} ${lits[0]}`;
  const strict = op === '>=' ? '>' : '<';
  const terms: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const eqs = ids.slice(0, i).map((id, j) => `${id} = ${lits[j]}`);
    const last = i === columns.length - 1 ? op : strict;
    terms.push([...eqs, `${ids[i]} ${last} ${lits[i]}`].join(' AND '));
  }
  const first = `${ids[0]} ${op === '>=' ? '>=' : '<='} ${lits[0]}`;
  return `(${first} AND (${terms.map((t) => `(${t})`).join(' OR ')}))`;
}

/** The WHERE condition of a chunk: `lower` inclusive, `upper` exclusive, null = open. */
export function rangeCondition(columns: readonly KeyColumn[], lower: readonly KeyValue[] | null, upper: readonly KeyValue[] | null): string {
  const parts: string[] = [];
  if (lower) parts.push(compareTuple(columns, lower, '>='));
  if (upper) parts.push(compareTuple(columns, upper, '<'));
  return parts.length === 0 ? '1=1' : parts.join(' AND ');
}

export function orderBy(columns: readonly KeyColumn[]): string {
  return columns.map((c) => quoteId(c.name)).join(', ');
}

/** A human-readable description of a range for file headers and logs (not SQL). */
export function describeRange(columns: readonly KeyColumn[], lower: readonly KeyValue[] | null, upper: readonly KeyValue[] | null): string {
  if (columns.length === 0) return 'whole table (no usable key)';
  const show = (v: readonly KeyValue[] | null) => (v ? `(${v.map((x) => JSON.stringify(x)).join(', ')})` : null);
  const key = `(${columns.map((c) => c.name).join(', ')})`;
  const lo = show(lower);
  const hi = show(upper);
  if (lo && hi) return `${lo} <= ${key} < ${hi}`;
  if (lo) return `${key} >= ${lo}`;
  if (hi) return `${key} < ${hi}`;
  return 'whole table';
}

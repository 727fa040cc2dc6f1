import type { CompareOp } from './drill-schema.ts';

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Compares two decimal strings exactly (no float rounding of big counts or DECIMAL values). */
function compareDecimal(a: string, b: string): number {
  const norm = (s: string) => {
    let t = s.trim().replace(/^\+/, '');
    const negative = t.startsWith('-');
    if (negative) t = t.slice(1);
    const [whole = '', frac = ''] = t.split('.');
    return { negative, whole: whole.replace(/^0+(?=\d)/, '') || '0', frac: frac.replace(/0+$/, '') };
  };
  const x = norm(a);
  const y = norm(b);
  const signOf = (n: { negative: boolean; whole: string; frac: string }) => (n.whole === '0' && n.frac === '' ? 0 : n.negative ? -1 : 1);
  const sx = signOf(x);
  const sy = signOf(y);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  const sign = sx;
  if (x.whole.length !== y.whole.length) return sign * (x.whole.length < y.whole.length ? -1 : 1);
  const width = Math.max(x.frac.length, y.frac.length);
  const xs = x.whole + x.frac.padEnd(width, '0');
  const ys = y.whole + y.frac.padEnd(width, '0');
  return xs === ys ? 0 : sign * (xs < ys ? -1 : 1);
}

/**
 * A check's outcome: `actual` (the first column of the first row, as text; null for SQL NULL or no
 * row) against `expected`. Both numbers (no exponent): compared as exact decimals; otherwise as text,
 * where only = and != mean something. Resolves with ok and, when not ok, why in plain words.
 */
export function compareResult({ actual, compare, expected }: { actual: string | null; compare: CompareOp; expected: string }): { ok: boolean; why: string | null } {
  if (actual === null) return { ok: false, why: 'the query returned no value (no row, or NULL)' };
  const numeric = NUMBER.test(actual.trim()) && NUMBER.test(expected.trim()) && !/[eE]/.test(actual + expected);
  let order: number | null;
  if (numeric) order = compareDecimal(actual, expected);
  else if (compare === '=' || compare === '!=') order = actual === expected ? 0 : 1;
  else order = null;
  if (order === null) return { ok: false, why: `“${actual}” and “${expected}” are not both numbers: only = and != compare text` };
  const ok = { '=': order === 0, '!=': order !== 0, '>': order > 0, '>=': order >= 0, '<': order < 0, '<=': order <= 0 }[compare];
  return ok ? { ok, why: null } : { ok, why: `got ${actual}, expected ${compare} ${expected}` };
}

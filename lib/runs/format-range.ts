import type { KeyValue } from '../core/manifest.ts';

export function formatKey(values: KeyValue[] | null): string {
  if (values === null) return '∞';
  return values.map((v) => (typeof v === 'object' ? `0x${v.hex}` : typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
}

/** `id ≥ 1 and < 2001`, `id < 2001`, `all rows` */
export function formatRange({ chunkKey, lower, upper }: { chunkKey: string[]; lower: KeyValue[] | null; upper: KeyValue[] | null }): string {
  const key = chunkKey.length === 1 ? chunkKey[0]! : `(${chunkKey.join(', ')})`;
  const wrap = (v: KeyValue[]) => (v.length === 1 ? formatKey(v) : `(${formatKey(v)})`);
  if (chunkKey.length === 0 || (lower === null && upper === null)) return 'all rows';
  if (lower === null) return `${key} < ${wrap(upper!)}`;
  if (upper === null) return `${key} ≥ ${wrap(lower)}`;
  return `${key} ≥ ${wrap(lower)} and < ${wrap(upper)}`;
}

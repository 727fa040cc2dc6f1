import { createHash } from 'node:crypto';

const SAFE = /[A-Za-z0-9_-]/;
const MAX_NAME_BYTES = 120;

/**
 * A file-name segment for any identifier: letters, digits, `_` and `-` stay, every other character
 * becomes `@` and the hex of its UTF-8 bytes (so `/`, `..`, backticks and NUL can never form a path),
 * and over-long results are cut and suffixed with a hash of the full name. Injective up to the hash.
 */
export function safeFileName(identifier: string): string {
  let out = '';
  for (const ch of identifier) {
    if (SAFE.test(ch)) out += ch;
    else out += '@' + Buffer.from(ch, 'utf8').toString('hex');
  }
  if (out === '') out = '@';
  if (out.length <= MAX_NAME_BYTES) return out;
  const digest = createHash('sha256').update(identifier, 'utf8').digest('hex').slice(0, 16);
  return `${out.slice(0, MAX_NAME_BYTES - 18)}~${digest}`;
}

const COMPRESSED = { none: '', gzip: '.gz', zstd: '.zst' } as const;

export const dumpPaths = {
  databaseSchema: (db: string) => `schema/${safeFileName(db)}/database.sql`,
  tableSchema: (db: string, table: string) => `schema/${safeFileName(db)}/${safeFileName(table)}.table.sql`,
  objectSchema: (db: string, type: string, name: string) => `schema/${safeFileName(db)}/${safeFileName(name)}.${type}.sql`,
  chunk: (db: string, table: string, index: number, compress: keyof typeof COMPRESSED, format: 'sql' | 'tsv' = 'sql') =>
    `data/${safeFileName(db)}/${safeFileName(table)}.${String(index).padStart(5, '0')}.${format}${COMPRESSED[compress]}`,
};

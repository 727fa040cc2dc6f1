import { ParadumpError } from '../core/errors.ts';
import { DEFAULT_DATABASE_URL } from './database-path.ts';

/** The two stores: SQLite embedded (the default), PostgreSQL shared by several processes and machines. */
export type StoreProvider = 'sqlite' | 'postgresql';

/** The store's URL: PARADUMP_DATABASE_URL, else the embedded SQLite file. */
export function databaseUrl(): string {
  return process.env.PARADUMP_DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** Which store a URL names: `file:` is SQLite, `postgresql://` (or `postgres://`) is PostgreSQL. */
export function storeProvider(url = databaseUrl()): StoreProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new ParadumpError('BAD_DATABASE_URL', `PARADUMP_DATABASE_URL must be a file: or postgresql:// URL, got "${redactDatabaseUrl(url)}"`, {
    details: { url: redactDatabaseUrl(url) },
  });
}

/** The URL with its password replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

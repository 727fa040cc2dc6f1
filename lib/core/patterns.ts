/** Glob (`*`, `?`) to an anchored, case-sensitive RegExp; anything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function isPattern(text: string): boolean {
  return /[*?]/.test(text);
}

/** Splits `db.table` at the first dot (database names may not contain dots in our CLI syntax). */
export function splitQualified(name: string): { database: string; table: string } {
  const dot = name.indexOf('.');
  return { database: name.slice(0, dot), table: name.slice(dot + 1) };
}

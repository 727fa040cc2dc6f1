/** Quotes an identifier with backticks; any character is allowed, a backtick is doubled. */
export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `db`.`table` */
export function qualified(database: string, table: string): string {
  return `${quoteId(database)}.${quoteId(table)}`;
}

/** Comment text must stay on one line whatever an identifier contains. */
export function commentSafe(text: string): string {
  return text.replace(/[\0-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

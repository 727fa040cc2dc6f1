import { ParadumpError } from '../core/errors.ts';
import { quoteId } from '../core/sql-names.ts';
import { splitStatements } from './split-statements.ts';

/**
 * Reading the dump's schema and object files. The restore runs only the statement shapes the dump
 * writes (session SETs and the one CREATE); anything else in such a file is refused, so a damaged or
 * foreign file cannot run arbitrary SQL against the target.
 */

const SESSION_SET = /^SET (NAMES [A-Za-z0-9_]+( COLLATE [A-Za-z0-9_]+)?|SESSION [a-z_]+ = '[^'\\]*'(, [a-z_]+ = ('[^'\\]*'|\d+))*)$/;

function bad(file: string, what: string): ParadumpError {
  return new ParadumpError('MANIFEST_INVALID', `${file}: ${what}`, { details: { reason: 'UNEXPECTED_STATEMENT', file } });
}

function head(stmt: Buffer): string {
  return stmt.subarray(0, 80).toString('utf8').replace(/\s+/g, ' ');
}

/** A table schema file: its session SETs and its CREATE TABLE (as text). */
export function parseTableSchema(file: string, bytes: Buffer, table: string): { setup: string[]; create: string } {
  const setup: string[] = [];
  let create: string | null = null;
  const prefix = `CREATE TABLE ${quoteId(table)} `;
  for (const stmt of splitStatements(bytes)) {
    const text = stmt.toString('utf8');
    if (create === null && SESSION_SET.test(text)) setup.push(text);
    else if (create === null && text.startsWith(prefix)) create = text;
    else throw bad(file, `unexpected statement for table ${quoteId(table)}: ${head(stmt)}`);
  }
  if (create === null) throw bad(file, `no CREATE TABLE ${quoteId(table)} in the file`);
  return { setup, create };
}

/** A sequence file: SETs, CREATE SEQUENCE, and the SETVAL that restores its next value. */
export function parseSequenceFile(file: string, bytes: Buffer, name: string): Buffer[] {
  const out: Buffer[] = [];
  const create = `CREATE SEQUENCE ${quoteId(name)} `;
  const setval = `DO SETVAL(${quoteId(name)}, `;
  for (const stmt of splitStatements(bytes)) {
    const text = stmt.toString('utf8');
    if (!SESSION_SET.test(text) && !text.startsWith(create) && !text.startsWith(setval)) throw bad(file, `unexpected statement for sequence ${quoteId(name)}: ${head(stmt)}`);
    out.push(stmt);
  }
  if (!out.some((s) => s.toString('utf8').startsWith(create))) throw bad(file, `no CREATE SEQUENCE ${quoteId(name)} in the file`);
  return out;
}

export interface ObjectFile {
  /** `SET NAMES …`, `SET SESSION sql_mode = …`, `SET SESSION time_zone = …`, run before the definition. */
  setup: string[];
  /** The definition exactly as SHOW CREATE printed it (bytes). */
  definition: Buffer;
}

const OPEN = Buffer.from('\nDELIMITER ;;\n');
const CLOSE = Buffer.from('\n;;\nDELIMITER ;\n');

/**
 * A view/trigger/routine/event file: header SETs, `DELIMITER ;;`, the definition (any number of
 * lines, any `;` inside), a `;;` line, `DELIMITER ;`, `SET NAMES utf8mb4;`.
 */
export function parseObjectFile(file: string, bytes: Buffer): ObjectFile {
  const open = bytes.indexOf(OPEN);
  const close = bytes.lastIndexOf(CLOSE);
  if (open < 0 || close < open + OPEN.length - 1) throw bad(file, 'not an object file (no DELIMITER ;; … ;; block)');
  const setup = splitStatements(bytes.subarray(0, open + 1)).map((s) => s.toString('utf8'));
  for (const s of setup) if (!SESSION_SET.test(s)) throw bad(file, `unexpected statement before the definition: ${s.slice(0, 80)}`);
  const definition = bytes.subarray(open + OPEN.length, close);
  if (!/^CREATE\s/i.test(definition.subarray(0, 16).toString('latin1'))) throw bad(file, 'the definition does not start with CREATE');
  return { setup, definition };
}

export interface DeferredIndexes {
  /** CREATE TABLE without the deferred indexes. */
  create: string;
  /** Index clauses (`KEY \`k\` (\`c\`)`) to add after the data, in their original order. */
  deferred: string[];
}

/** Top-level items of the column/index list of a CREATE TABLE, with the text before and after. */
function splitCreateBody(create: string): { before: string; items: string[]; after: string } | null {
  let depth = 0;
  let start = -1;
  let itemStart = -1;
  const items: string[] = [];
  for (let i = 0; i < create.length; i++) {
    const c = create[i]!;
    if (c === '`' || c === "'" || c === '"') {
      // Skip the quoted run; backslash escapes only in strings, doubled quotes handled as two runs.
      i++;
      while (i < create.length && create[i] !== c) {
        if (c !== '`' && create[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (c === '(') {
      depth++;
      if (depth === 1) {
        start = i;
        itemStart = i + 1;
      }
    } else if (c === ')') {
      depth--;
      if (depth === 0) {
        items.push(create.slice(itemStart, i));
        return { before: create.slice(0, start + 1), items: items.map((s) => s.trim()), after: create.slice(i) };
      }
    } else if (c === ',' && depth === 1) {
      items.push(create.slice(itemStart, i));
      itemStart = i + 1;
    }
  }
  return null;
}

/** Column names of `(…)` in an index or foreign key clause (prefix lengths and ASC/DESC dropped). */
function columnList(clause: string, after: RegExp): string[] | null {
  const m = after.exec(clause);
  if (!m) return null;
  const open = clause.indexOf('(', m.index + m[0].length - 1);
  if (open < 0) return null;
  const names: string[] = [];
  const re = /`((?:[^`]|``)*)`(\s*\(\d+\))?(\s+(ASC|DESC))?\s*([,)])/gy;
  re.lastIndex = open + 1;
  for (;;) {
    const r = re.exec(clause);
    if (!r) return null;
    names.push(r[1]!.replace(/``/g, '`'));
    if (r[5] === ')') return names;
  }
}

/**
 * Splits the plain secondary indexes off a CREATE TABLE so they can be built after the data
 * (one sorted build instead of per-row maintenance). Only those that can be added back without
 * changing SHOW CREATE TABLE are deferred: plain `KEY`s (not PRIMARY, UNIQUE, FULLTEXT, SPATIAL),
 * not serving a foreign key, and only a trailing run of them (the server lists added indexes after
 * the ones the table was created with, so deferring one from the middle would reorder them).
 */
export function deferSecondaryIndexes(create: string): DeferredIndexes {
  const body = splitCreateBody(create);
  if (!body) return { create, deferred: [] };
  const fkColumns: string[][] = [];
  for (const item of body.items) {
    if (/^(CONSTRAINT\s+`(?:[^`]|``)*`\s+)?FOREIGN KEY\s/i.test(item)) {
      const cols = columnList(item, /FOREIGN KEY\s*/i);
      if (cols) fkColumns.push(cols);
    }
  }
  const isPlainKey = (item: string) => /^(KEY|INDEX)\s/i.test(item);
  const isNonUniqueKey = (item: string) => isPlainKey(item) || /^SPATIAL\s+(KEY|INDEX)\s/i.test(item);
  const servesForeignKey = (item: string) => {
    const cols = columnList(item, /^(KEY|INDEX)\s+(`(?:[^`]|``)*`\s*)?/i);
    if (!cols) return true; // cannot tell: keep it
    return fkColumns.some((fk) => fk.length <= cols.length && fk.every((c, i) => c === cols[i]));
  };
  // Positions of the non-unique, non-fulltext indexes, in order; defer the deferrable tail of them.
  const positions = body.items.map((item, i) => (isNonUniqueKey(item) ? i : -1)).filter((i) => i >= 0);
  const deferredAt: number[] = [];
  for (let p = positions.length - 1; p >= 0; p--) {
    const item = body.items[positions[p]!]!;
    if (!isPlainKey(item) || servesForeignKey(item)) break;
    deferredAt.unshift(positions[p]!);
  }
  if (deferredAt.length === 0) return { create, deferred: [] };
  const keep = body.items.filter((_, i) => !deferredAt.includes(i));
  return {
    create: `${body.before}\n  ${keep.join(',\n  ')}\n${body.after}`,
    deferred: deferredAt.map((i) => body.items[i]!),
  };
}

/** `ALTER TABLE t ADD KEY …, ADD KEY …` for deferred index clauses. */
export function addIndexesSql(table: string, deferred: readonly string[]): string {
  return `ALTER TABLE ${quoteId(table)} ${deferred.map((d) => `ADD ${d}`).join(', ')}`;
}

/** The index name of a deferred clause (`KEY \`k\` (…)` → `k`). */
export function indexName(clause: string): string | null {
  const m = /^(?:KEY|INDEX)\s+`((?:[^`]|``)*)`/i.exec(clause);
  return m ? m[1]!.replace(/``/g, '`') : null;
}

/** A bare word of an event definition's head, and where it sits (offsets into the latin1 text). */
interface HeadWord {
  word: string;
  start: number;
  end: number;
}

/**
 * The bare words of a CREATE EVENT up to (and including) its `DO`: quoted identifiers, strings and
 * comments are stepped over, so a definer, name, comment or STARTS time holding `ENABLE` or `DO`
 * is never taken for the clause. Null when no bare `DO` ends the head.
 */
function eventHead(text: string): HeadWord[] | null {
  const words: HeadWord[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '`' || c === "'" || c === '"') {
      // A quoted run; doubled quotes read as two runs, backslash escapes only in strings.
      i++;
      while (i < text.length && text[i] !== c) i += c !== '`' && text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return null;
      i = close + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i]!)) i++;
      const word = text.slice(start, i).toUpperCase();
      words.push({ word, start, end: i });
      if (word === 'DO') return words;
    } else i++;
  }
  return null;
}

/**
 * An event definition as SHOW CREATE EVENT printed it (`CREATE DEFINER=… EVENT … ON SCHEDULE …
 * ON COMPLETION [NOT] PRESERVE {ENABLE|DISABLE|DISABLE ON SLAVE} [COMMENT '…'] DO …`), changed to
 * create the event DISABLED: `ENABLE` becomes `DISABLE`; with no status clause (the server's
 * default is ENABLE) `DISABLE` is put before COMMENT or DO. Every other byte, the body's above all,
 * is kept. A definition whose head cannot be read this way is refused rather than created enabled.
 */
export function disableEvent(file: string, definition: Buffer): { definition: Buffer; wasEnabled: boolean } {
  // latin1 keeps one character per byte: offsets are byte offsets, and UTF-8 bytes never look like quotes.
  const text = definition.toString('latin1');
  const head = eventHead(text);
  const event = head?.findIndex((w) => w.word === 'EVENT') ?? -1;
  if (!head || head[0]?.word !== 'CREATE' || event < 0) throw bad(file, 'not an event definition this restore can create disabled (no CREATE … EVENT … DO)');
  const status = head.slice(event).find((w) => w.word === 'ENABLE' || w.word === 'DISABLE');
  if (status?.word === 'DISABLE') return { definition, wasEnabled: false };
  const splice = (start: number, end: number, with_: string) => Buffer.concat([definition.subarray(0, start), Buffer.from(with_, 'latin1'), definition.subarray(end)]);
  if (status) return { definition: splice(status.start, status.end, 'DISABLE'), wasEnabled: true };
  const before = head.slice(event).find((w) => w.word === 'COMMENT' || w.word === 'DO')!;
  return { definition: splice(before.start, before.start, 'DISABLE '), wasEnabled: true };
}

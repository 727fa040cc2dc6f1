import type { Session } from './session.ts';
import type { ServerFlavor } from './flavor.ts';
import { ParadumpError } from '../core/errors.ts';
import type { LockMode } from '../core/dump-options.ts';

export interface PrivilegeNeed {
  /** The privilege to grant, as the operator would type it. */
  need: string;
  /** Any one of these satisfies the need. */
  anyOf: string[];
  /** Global (`ON *.*`) only, or also satisfied per database (`ON db.*`). */
  level: 'global' | 'database';
  why: string;
}

/** What each lock strategy needs, beyond reading the tables. */
export function requiredPrivileges(flavor: ServerFlavor, lock: LockMode = 'snapshot'): PrivilegeNeed[] {
  const binlog = flavor.kind === 'mariadb' ? ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'] : ['REPLICATION CLIENT', 'SUPER'];
  const select: PrivilegeNeed = { need: 'SELECT', anyOf: ['SELECT'], level: 'database', why: 'read the rows' };
  const coordinates: PrivilegeNeed = { need: binlog[0]!, anyOf: binlog, level: 'global', why: 'read the binlog coordinates' };
  switch (lock) {
    case 'snapshot':
      return [select, { need: 'RELOAD', anyOf: ['RELOAD'], level: 'global', why: flavor.kind === 'mariadb' ? 'BACKUP STAGE' : 'FLUSH TABLES WITH READ LOCK' }, coordinates];
    case 'per-db':
    case 'per-table':
      return [select, { need: 'LOCK TABLES', anyOf: ['LOCK TABLES'], level: 'database', why: 'LOCK TABLES … READ' }, coordinates];
    // auto takes the commit block only when RELOAD is there: its minimum is lockless's.
    case 'lockless':
    case 'auto':
      return [select, coordinates];
    case 'none':
      return [select];
  }
}

export interface GrantSummary {
  global: Set<string>;
  /** Database name (or pattern with % and _) → privileges granted on `db`.*. */
  databases: Map<string, Set<string>>;
}

/** Privileges from SHOW GRANTS output; null when roles make the answer uncertain. */
export function parseGrants(grants: readonly string[]): GrantSummary | null {
  const summary: GrantSummary = { global: new Set(), databases: new Map() };
  for (const line of grants) {
    const m = /^GRANT (.+?) ON (\*|`(?:[^`]|``)+`)\.\* TO /i.exec(line);
    if (m) {
      const privs = m[1]!.split(',').map((p) => p.trim().toUpperCase());
      if (m[2] === '*') privs.forEach((p) => summary.global.add(p));
      else {
        const db = m[2]!.slice(1, -1).replace(/``/g, '`');
        const set = summary.databases.get(db) ?? new Set();
        privs.forEach((p) => set.add(p));
        summary.databases.set(db, set);
      }
      continue;
    }
    // `GRANT role TO user` (no ON): privileges may come from the role.
    if (/^GRANT [^ ]+ TO /i.test(line) && !/ ON /i.test(line)) return null;
  }
  return summary;
}

function has(set: ReadonlySet<string> | undefined, anyOf: readonly string[]): boolean {
  return !!set && (set.has('ALL PRIVILEGES') || set.has('ALL') || anyOf.some((p) => set.has(p)));
}

function dbPatternMatches(pattern: string, db: string): boolean {
  if (pattern === db) return true;
  if (!/[%_]/.test(pattern)) return false;
  const re = new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/(?<!\\)%/g, '.*').replace(/(?<!\\)_/g, '.').replace(/\\\\([%_])/g, '$1') + '$', 's');
  return re.test(db);
}

/** The needs not met by these grants (for the listed databases, where a need is per database). */
export function missingPrivileges(needs: readonly PrivilegeNeed[], grants: GrantSummary, databases: readonly string[]): PrivilegeNeed[] {
  return needs.filter((n) => {
    if (has(grants.global, n.anyOf)) return false;
    if (n.level === 'global') return true;
    const granted = (db: string) => [...grants.databases].some(([pattern, privs]) => dbPatternMatches(pattern, db) && has(privs, n.anyOf));
    return databases.length === 0 ? ![...grants.databases.values()].some((privs) => has(privs, n.anyOf)) : !databases.every(granted);
  });
}

export function describeMissing(missing: readonly PrivilegeNeed[]): string {
  return missing.map((m) => `${m.need}${m.anyOf.length > 1 ? ` (or ${m.anyOf.slice(1).join(' or ')})` : ''} to ${m.why}`).join(', ');
}

/** What this account lacks for a dump with `lock`; null when roles make it impossible to tell. */
export async function findMissingPrivileges(session: Session, lock: LockMode, databases: readonly string[] = []): Promise<PrivilegeNeed[] | null> {
  const rows = await session.query<Record<string, string>>('SHOW GRANTS');
  const grants = parseGrants(rows.map((r) => Object.values(r)[0] ?? ''));
  if (grants === null) return null;
  return missingPrivileges(requiredPrivileges(session.flavor, lock), grants, databases);
}

/** Refuses early, naming the privileges, rather than failing half-way with files written. */
export async function checkDumpPrivileges(session: Session, lock: LockMode = 'snapshot', databases: readonly string[] = []): Promise<void> {
  const missing = await findMissingPrivileges(session, lock, databases);
  if (missing && missing.length > 0) {
    throw new ParadumpError('MISSING_PRIVILEGES', `the account lacks privileges a ${lock} dump needs: ${describeMissing(missing)}`, {
      details: { missing: missing.map((m) => m.need) },
    });
  }
}

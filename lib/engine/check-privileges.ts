import type { Session } from '../mysql/session.ts';
import type { ServerFlavor } from '../mysql/flavor.ts';
import { ParadumpError } from './errors.ts';

/**
 * Global privileges a snapshot dump needs, as alternatives: each inner list is satisfied by any one
 * of its privileges. RELOAD takes BACKUP STAGE / FLUSH TABLES WITH READ LOCK; reading binlog
 * coordinates takes BINLOG MONITOR (MariaDB 10.5+) or REPLICATION CLIENT, or SUPER.
 */
export function requiredPrivileges(flavor: ServerFlavor): { need: string; anyOf: string[] }[] {
  const binlog = flavor.kind === 'mariadb' ? ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'] : ['REPLICATION CLIENT', 'SUPER'];
  return [
    { need: 'RELOAD', anyOf: ['RELOAD'] },
    { need: binlog[0]!, anyOf: binlog },
  ];
}

/** Global privileges from SHOW GRANTS output; null when roles make the answer uncertain. */
export function globalPrivilegesFromGrants(grants: readonly string[]): Set<string> | null {
  const privileges = new Set<string>();
  for (const line of grants) {
    const m = /^GRANT (.+?) ON \*\.\* TO /i.exec(line);
    if (m) {
      for (const p of m[1]!.split(',')) privileges.add(p.trim().toUpperCase());
      continue;
    }
    // `GRANT role TO user` (no ON): privileges may come from the role.
    if (/^GRANT [^ ]+ TO /i.test(line) && !/ ON /i.test(line)) return null;
  }
  return privileges;
}

/** Refuses early, naming the privileges, rather than failing half-way with files written. */
export async function checkDumpPrivileges(session: Session): Promise<void> {
  const rows = await session.query<Record<string, string>>('SHOW GRANTS');
  const privileges = globalPrivilegesFromGrants(rows.map((r) => Object.values(r)[0] ?? ''));
  if (privileges === null || privileges.has('ALL PRIVILEGES') || privileges.has('ALL')) return;
  const missing = requiredPrivileges(session.flavor).filter((r) => !r.anyOf.some((p) => privileges.has(p)));
  if (missing.length > 0) {
    throw new ParadumpError(
      'MISSING_PRIVILEGES',
      `the account lacks global privileges a consistent dump needs: ${missing.map((m) => (m.anyOf.length > 1 ? `${m.need} (or ${m.anyOf.slice(1).join(' or ')})` : m.need)).join(', ')}`,
      { details: { missing: missing.map((m) => m.need) } },
    );
  }
}

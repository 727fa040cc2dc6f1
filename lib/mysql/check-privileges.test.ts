import { describe, expect, it } from 'vitest';
import { parseServerVersion } from './flavor.ts';
import { describeMissing, missingPrivileges, parseGrants, requiredPrivileges } from './check-privileges.ts';

const maria = parseServerVersion('10.11.2-MariaDB');
const mysql8 = parseServerVersion('8.0.36');

describe('parseGrants', () => {
  it('separates global and per-database privileges', () => {
    const g = parseGrants([
      "GRANT SELECT, RELOAD, BINLOG MONITOR ON *.* TO `bk`@`%` IDENTIFIED BY PASSWORD '*x'",
      'GRANT ALL PRIVILEGES ON `shop`.* TO `bk`@`%`',
      'GRANT LOCK TABLES ON `we``ird`.* TO `bk`@`%`',
    ])!;
    expect([...g.global].sort()).toEqual(['BINLOG MONITOR', 'RELOAD', 'SELECT']);
    expect(g.databases.get('shop')).toEqual(new Set(['ALL PRIVILEGES']));
    expect(g.databases.get('we`ird')).toEqual(new Set(['LOCK TABLES']));
  });
  it('gives up (null) when a role may carry privileges', () => {
    expect(parseGrants(['GRANT USAGE ON *.* TO `bk`@`%`', 'GRANT `backup_role` TO `bk`@`%`'])).toBeNull();
  });
});

describe('missingPrivileges per lock strategy', () => {
  const selectOnly = parseGrants(['GRANT SELECT ON *.* TO `r`@`%`'])!;
  it('lockless and auto need no RELOAD, only the binlog privilege', () => {
    expect(missingPrivileges(requiredPrivileges(maria, 'lockless'), selectOnly, []).map((m) => m.need)).toEqual(['BINLOG MONITOR']);
    expect(missingPrivileges(requiredPrivileges(mysql8, 'auto'), selectOnly, []).map((m) => m.need)).toEqual(['REPLICATION CLIENT']);
  });

  it('snapshot needs RELOAD and the binlog privilege', () => {
    expect(missingPrivileges(requiredPrivileges(maria, 'snapshot'), selectOnly, []).map((m) => m.need)).toEqual(['RELOAD', 'BINLOG MONITOR']);
    expect(missingPrivileges(requiredPrivileges(mysql8, 'snapshot'), selectOnly, []).map((m) => m.need)).toEqual(['RELOAD', 'REPLICATION CLIENT']);
  });
  it('per-db needs LOCK TABLES, satisfied per database or by a wildcard grant', () => {
    const g = parseGrants(['GRANT SELECT, BINLOG MONITOR ON *.* TO `r`@`%`', 'GRANT LOCK TABLES ON `shop\\_%`.* TO `r`@`%`'])!;
    expect(missingPrivileges(requiredPrivileges(maria, 'per-db'), g, ['shop_eu', 'shop_us'])).toEqual([]);
    expect(missingPrivileges(requiredPrivileges(maria, 'per-db'), g, ['shop_eu', 'crm']).map((m) => m.need)).toEqual(['LOCK TABLES']);
  });
  it('none needs only SELECT; ALL PRIVILEGES covers everything', () => {
    expect(missingPrivileges(requiredPrivileges(maria, 'none'), selectOnly, [])).toEqual([]);
    expect(missingPrivileges(requiredPrivileges(maria, 'snapshot'), parseGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`%`'])!, [])).toEqual([]);
  });
  it('describes what is missing in words', () => {
    expect(describeMissing(requiredPrivileges(maria, 'snapshot').slice(1))).toBe('RELOAD to BACKUP STAGE, BINLOG MONITOR (or REPLICATION CLIENT or SUPER) to read the binlog coordinates');
  });
});

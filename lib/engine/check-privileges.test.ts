import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../mysql/flavor.ts';
import { globalPrivilegesFromGrants, requiredPrivileges } from './check-privileges.ts';

describe('globalPrivilegesFromGrants', () => {
  it('collects privileges granted ON *.*', () => {
    const p = globalPrivilegesFromGrants([
      "GRANT SELECT, RELOAD, BINLOG MONITOR ON *.* TO `bk`@`%` IDENTIFIED BY PASSWORD '*x'",
      'GRANT ALL PRIVILEGES ON `shop`.* TO `bk`@`%`',
    ]);
    expect([...(p ?? [])].sort()).toEqual(['BINLOG MONITOR', 'RELOAD', 'SELECT']);
  });
  it('gives up (null) when a role may carry privileges', () => {
    expect(globalPrivilegesFromGrants(['GRANT USAGE ON *.* TO `bk`@`%`', 'GRANT `backup_role` TO `bk`@`%`'])).toBeNull();
  });
});

describe('requiredPrivileges', () => {
  it('accepts BINLOG MONITOR on MariaDB and REPLICATION CLIENT on MySQL', () => {
    expect(requiredPrivileges(parseServerVersion('10.11.2-MariaDB'))[1]!.anyOf).toContain('BINLOG MONITOR');
    expect(requiredPrivileges(parseServerVersion('8.0.36'))[1]!.anyOf).toEqual(['REPLICATION CLIENT', 'SUPER']);
  });
});

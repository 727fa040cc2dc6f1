import { describe, expect, it } from 'vitest';
import { flavorSql, normalizeGtid, parseServerVersion } from './flavor.ts';

describe('parseServerVersion', () => {
  it('recognises MariaDB, with and without the legacy 5.5.5- prefix', () => {
    expect(parseServerVersion('10.11.19-MariaDB-0+deb12u1-log')).toMatchObject({ kind: 'mariadb', major: 10, minor: 11, patch: 19 });
    expect(parseServerVersion('5.5.5-10.3.39-MariaDB')).toMatchObject({ kind: 'mariadb', major: 10, minor: 3, patch: 39 });
    expect(parseServerVersion('11.4.2', 'mariadb.org binary distribution')).toMatchObject({ kind: 'mariadb', major: 11 });
  });
  it('recognises MySQL', () => {
    expect(parseServerVersion('8.0.36', 'MySQL Community Server - GPL')).toMatchObject({ kind: 'mysql', major: 8, minor: 0, patch: 36 });
    expect(parseServerVersion('5.7.44-log')).toMatchObject({ kind: 'mysql', major: 5, minor: 7 });
  });
  it('refuses garbage', () => {
    expect(() => parseServerVersion('banana')).toThrow(/cannot parse/);
  });
});

describe('flavorSql', () => {
  it('lockless proof: MariaDB reads its snapshot position in the transaction; MySQL has none (before/after instead)', () => {
    expect(flavorSql(parseServerVersion('10.11.6-MariaDB')).snapshotPosition).toBe("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'");
    expect(flavorSql(parseServerVersion('8.0.36')).snapshotPosition).toBeNull();
    expect(flavorSql(parseServerVersion('8.4.0')).binlogStatus).toBe('SHOW BINARY LOG STATUS');
    for (const v of ['10.11.6-MariaDB', '8.0.36', '5.7.44']) expect(flavorSql(parseServerVersion(v)).threadsRunning).toBe("SHOW GLOBAL STATUS LIKE 'Threads_running'");
  });
  const sql = (v: string, c = '') => flavorSql(parseServerVersion(v, c));

  it('MariaDB 10.4.1+ blocks only commits with BACKUP STAGE', () => {
    const s = sql('10.11.19-MariaDB');
    expect(s.commitBlock.acquire).toEqual(['BACKUP STAGE START', 'BACKUP STAGE BLOCK_COMMIT']);
    expect(s.commitBlock.release).toEqual(['BACKUP STAGE END']);
    expect(s.binlogStatus).toBe('SHOW MASTER STATUS');
    expect(s.gtidPosition).toBe('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
    expect(s.startSnapshot).toBe('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  });
  it('loads with unique_checks on for MariaDB 10.6+ (no bulk-insert mode), off elsewhere', () => {
    expect(sql('10.11.19-MariaDB').loadUniqueChecks).toBe(1);
    expect(sql('10.6.0-MariaDB').loadUniqueChecks).toBe(1);
    expect(sql('10.5.27-MariaDB').loadUniqueChecks).toBe(0);
    expect(sql('8.4.3').loadUniqueChecks).toBe(0);
    expect(sql('5.7.44').loadUniqueChecks).toBe(0);
  });
  it('tells servers apart by server_uuid on MySQL 5.6+, by id, host, port and datadir on MariaDB', () => {
    expect(sql('10.11.19-MariaDB').serverIdentity).toBe("SELECT CONCAT_WS(':', @@server_id, @@hostname, @@port, @@datadir) AS identity");
    expect(sql('8.0.36').serverIdentity).toBe('SELECT @@server_uuid AS identity');
    expect(sql('5.5.62').serverIdentity).toContain('@@datadir');
  });
  it('MariaDB before 10.4.1 falls back to FLUSH TABLES WITH READ LOCK', () => {
    expect(sql('10.4.0-MariaDB').commitBlock.acquire).toEqual(['FLUSH TABLES WITH READ LOCK']);
    expect(sql('10.3.39-MariaDB').commitBlock.release).toEqual(['UNLOCK TABLES']);
  });
  it('MySQL 5.7: FTWRL, SHOW MASTER STATUS, no backup lock', () => {
    const s = sql('5.7.44');
    expect(s.commitBlock.acquire).toEqual(['FLUSH TABLES WITH READ LOCK']);
    expect(s.binlogStatus).toBe('SHOW MASTER STATUS');
    expect(s.ddlBlock).toBeNull();
    expect(s.gtidPosition).toBe('SELECT @@GLOBAL.gtid_executed AS gtid');
    expect(s.startSnapshot).toBe('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  });
  it('MySQL 8.0: LOCK INSTANCE FOR BACKUP and SHOW MASTER STATUS', () => {
    const s = sql('8.0.36');
    expect(s.ddlBlock?.acquire).toEqual(['LOCK INSTANCE FOR BACKUP']);
    expect(s.ddlBlock?.release).toEqual(['UNLOCK INSTANCE']);
    expect(s.binlogStatus).toBe('SHOW MASTER STATUS');
  });
  it('MySQL 8.4 uses SHOW BINARY LOG STATUS', () => {
    expect(sql('8.4.3').binlogStatus).toBe('SHOW BINARY LOG STATUS');
    expect(sql('9.1.0').binlogStatus).toBe('SHOW BINARY LOG STATUS');
  });
  it('DDL blocks: BACKUP STAGE BLOCK_DDL on MariaDB (with FTWRL for the snapshot), LOCK INSTANCE FOR BACKUP on MySQL 8 (free)', () => {
    const maria = sql('10.11.19-MariaDB');
    expect(maria.ddlBlock?.acquire).toEqual(['BACKUP STAGE START', 'BACKUP STAGE BLOCK_DDL']);
    expect(maria.commitBlockWithDdlBlock.acquire).toEqual(['FLUSH TABLES WITH READ LOCK']);
    expect(maria.ddlBlockIsFree).toBe(false);
    expect(sql('10.3.39-MariaDB').ddlBlock).toBeNull();
    const mysql8 = sql('8.0.36');
    expect(mysql8.ddlBlockIsFree).toBe(true);
    expect(mysql8.commitBlockWithDdlBlock.release).toEqual(['UNLOCK TABLES']);
    expect(sql('5.7.44').ddlBlockIsFree).toBe(false);
  });
  it('locks a set of tables for reading in one statement', () => {
    const s = sql('10.11.1-MariaDB');
    expect(s.lockTablesRead(['`a`.`t1`', '`a`.`t2`'])).toMatchObject({ acquire: ['LOCK TABLES `a`.`t1` READ, `a`.`t2` READ'], release: ['UNLOCK TABLES'] });
    expect(() => s.lockTablesRead([])).toThrow(TypeError);
  });
  it('builds lock-wait and kill statements safely', () => {
    const s = sql('10.11.1-MariaDB');
    expect(s.lockWaitTimeout(2.2)).toBe('SET SESSION lock_wait_timeout = 3');
    expect(s.killQuery(42)).toBe('KILL QUERY 42');
    expect(() => s.killQuery(Number.NaN)).toThrow(TypeError);
  });
});

describe('normalizeGtid', () => {
  it('keeps MariaDB domain-server-seq lists and MySQL UUID sets, without whitespace', () => {
    expect(normalizeGtid('0-1-42,1-2-7')).toBe('0-1-42,1-2-7');
    expect(normalizeGtid('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n4E11FA47-71CA-11E1-9E33-C80AA9429562:1-3')).toBe(
      '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,4E11FA47-71CA-11E1-9E33-C80AA9429562:1-3',
    );
    expect(normalizeGtid('')).toBeNull();
    expect(normalizeGtid(null)).toBeNull();
  });
});

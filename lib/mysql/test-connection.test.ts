import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../sandbox/throwaway-server.ts';
import { connect, uniqueName } from '../../test/harness/db.ts';
import { testConnection } from './test-connection.ts';

const uri = inject('mariadbUri');
const port = new URL(uri).port;

describe('testConnection', () => {
  const user = uniqueName('probe');
  beforeAll(async () => {
    const c = await connect(uri);
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON *.* TO '${user}'@'%'`);
    await c.end();
  });
  afterAll(async () => {
    const c = await connect(uri);
    await c.query(`DROP USER '${user}'@'%'`);
    await c.end();
  });

  it('says everything is there for root', async () => {
    const r = await testConnection({ address: uri, lock: 'snapshot' });
    expect(r).toMatchObject({ ok: true, flavor: 'mariadb', missing: [] });
    expect(r.summary).toMatch(/^Connected to MariaDB 10\.\d+\.\d+\. The account has every privilege/);
  });

  it('lists the privileges each strategy lacks', async () => {
    const address = `mysql://${user}:pw@127.0.0.1:${port}`;
    const snapshot = await testConnection({ address, lock: 'snapshot' });
    expect(snapshot.ok && snapshot.missing.map((m) => m.need)).toEqual(['RELOAD', 'BINLOG MONITOR']);
    expect(snapshot.summary).toMatch(/needs more privileges: RELOAD to BACKUP STAGE/);
    const perDb = await testConnection({ address, lock: 'per-db', databases: ['shop'] });
    expect(perDb.ok && perDb.missing.map((m) => m.need)).toEqual(['LOCK TABLES', 'BINLOG MONITOR']);
    expect(await testConnection({ address, lock: 'none' })).toMatchObject({ ok: true, missing: [] });
  });

  it('says in plain words why it could not connect', async () => {
    expect(await testConnection({ address: `mysql://root:nope@127.0.0.1:${port}`, lock: 'snapshot' })).toMatchObject({ ok: false, code: 'ACCESS_DENIED', summary: expect.stringMatching(/wrong user name or password/) });
    expect(await testConnection({ address: `mysql://root@127.0.0.1:${await findFreePort()}`, lock: 'snapshot' })).toMatchObject({ ok: false, code: 'CONNECTION_REFUSED' });
    expect(await testConnection({ address: 'mysql://root@no-such-host.invalid:3306', lock: 'snapshot' })).toMatchObject({ ok: false, code: 'HOST_UNREACHABLE' });
    expect(await testConnection({ address: `mysql://root@127.0.0.1:${port}?ssl=true`, lock: 'snapshot' })).toMatchObject({ ok: false, code: 'TLS_FAILED' });
    expect(await testConnection({ address: 'mysql://root@127.0.0.1:99999', lock: 'snapshot' })).toMatchObject({ ok: false, code: 'BAD_URI' });
  });
});

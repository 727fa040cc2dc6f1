import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Manifest } from '../../lib/core/manifest.ts';
import { restore } from '../../lib/restore/restore.ts';
import { startThrowawayServer, type ThrowawayServer } from '../../lib/sandbox/throwaway-server.ts';
import { connect, createTestDatabase, uniqueName, type TestDatabase, queryRows as query } from '../harness/db.ts';
import { runCli } from './run-cli.ts';

const uri = inject('mariadbUri');

const grantsOf = async (u: string, account: string): Promise<string[]> => (await query<Record<string, string>>(u, `SHOW GRANTS FOR ${account}`)).map((r) => Object.values(r)[0]!).sort();

/** Logs in as `user` with `password` on `port`; resolves with its current role and a row count, or rejects. */
async function logIn(port: number, user: string, password: string, table: string): Promise<{ role: string | null; rows: number }> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user, password });
  try {
    const [[role]] = (await c.query('SELECT CURRENT_ROLE() AS role')) as unknown as [{ role: string | null }[]];
    const [[count]] = (await c.query(`SELECT COUNT(*) AS n FROM ${table}`)) as unknown as [{ n: number }[]];
    return { role: role!.role, rows: Number(count!.n) };
  } finally {
    await c.end();
  }
}

describe('accounts: dump users, roles and grants, restore them into another server', () => {
  let src: TestDatabase;
  let target: ThrowawayServer;
  let tmp: string;
  const role = uniqueName('acc_role');
  const app = uniqueName('acc_app');
  const reader = uniqueName('acc_reader');
  const noPriv = uniqueName('acc_nopriv');
  const accounts = [`\`${role}\``, `\`${app}\`@'%'`, `\`${reader}\`@'127.0.0.1'`];
  let hashes: string[] = [];
  let dir: string;
  const outputs: string[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    target = await startThrowawayServer({ serverId: 23 });
    cleanup.push(() => target.stop());
    src = await createTestDatabase(uri, 'acc_src');
    cleanup.push(src.drop);
    cleanup.push(() => query(uri, `DROP USER IF EXISTS ${accounts[1]}, ${accounts[2]}, \`${noPriv}\`@'%'`).then(() => query(uri, `DROP ROLE IF EXISTS ${accounts[0]}`)));
    tmp = await mkdtemp(path.join(os.tmpdir(), 'paradump-accounts-'));
    cleanup.push(() => rm(tmp, { recursive: true, force: true }));
    const db = `\`${src.name}\``;
    const c = await connect(uri);
    try {
      await c.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, secret VARCHAR(20), v INT); INSERT INTO ${db}.t VALUES (1, 's', 1), (2, 't', 2);
        CREATE PROCEDURE ${db}.p() SELECT 1;
        CREATE ROLE ${accounts[0]}; GRANT SELECT ON ${db}.* TO ${accounts[0]};
        CREATE USER ${accounts[1]} IDENTIFIED BY 'app-pw-1' WITH MAX_QUERIES_PER_HOUR 1000 MAX_USER_CONNECTIONS 7;
        GRANT ${accounts[0]} TO ${accounts[1]}; SET DEFAULT ROLE ${accounts[0]} FOR ${accounts[1]};
        GRANT INSERT, DELETE ON ${db}.t TO ${accounts[1]}; GRANT UPDATE (v), SELECT (id, v) ON ${db}.t TO ${accounts[1]} WITH GRANT OPTION;
        GRANT EXECUTE ON PROCEDURE ${db}.p TO ${accounts[1]};
        CREATE USER ${accounts[2]} IDENTIFIED BY 'reader-pw-2'; GRANT SELECT ON ${db}.* TO ${accounts[2]};`);
    } finally {
      await c.end();
    }
    hashes = (await query<{ h: string }>(uri, `SELECT JSON_VALUE(Priv, '$.authentication_string') AS h FROM mysql.global_priv WHERE User IN ('${app}', '${reader}')`)).map((r) => r.h);
    expect(hashes).toHaveLength(2);
    dir = path.join(tmp, 'dump');
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  });

  it('dumps the accounts into accounts/accounts.json (0600), the manifest naming them without hashes', async () => {
    const out = await runCli(['dump', '--source', uri, '--out', dir, '--databases', src.name, '--users', '--include-users', 'acc_*', '--exclude-users', 'nobody_zz*', '--threads', '1', '--json']);
    outputs.push(out.stdout, out.stderr);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('"type":"accounts-dumped"');
    expect(out.stdout).toContain('--exclude-users nobody_zz* matches no account');
    const manifestText = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as Manifest;
    expect(manifest.version).toBe(5); // accounts need 3, xxh3 content hashes 5;
    const mine = manifest.accounts!.list.filter((a) => [role, app, reader].includes(a.user));
    expect(mine.map((a) => `${a.user}@${a.host}`).sort()).toEqual([`${app}@%`, `${reader}@127.0.0.1`, `${role}@`].sort());
    // The role, the table (its column grants in the same line) and the procedure.
    expect(mine.find((a) => a.user === app)).toMatchObject({ defaultRoles: [`\`${role}\``], grants: 3 });
    expect(manifest.accounts!.excluded).toContain('root@localhost');
    for (const h of hashes) expect(manifestText).not.toContain(h);
    expect((await stat(path.join(dir, 'accounts/accounts.json'))).mode & 0o777).toBe(0o600);
  });

  it('restores them with --rename: SHOW GRANTS equal (renamed), logins work with the original passwords, the creator keeps no role', async () => {
    const copy = `${src.name}_copy`;
    const out = await runCli(['restore', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${copy}`, '--users']);
    outputs.push(out.stdout, out.stderr);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/accounts: \d+ created: .*acc_app/);
    for (const account of accounts) {
      const expected = (await grantsOf(uri, account)).map((g) => g.replaceAll(`\`${src.name}\``, `\`${copy}\``)).sort();
      expect(await grantsOf(target.uri, account), account).toEqual(expected);
    }
    expect(await logIn(target.port, app, 'app-pw-1', `\`${copy}\`.t`)).toEqual({ role, rows: 2 });
    expect(await logIn(target.port, reader, 'reader-pw-2', `\`${copy}\`.t`)).toEqual({ role: null, rows: 2 });
    await expect(logIn(target.port, app, 'wrong', `\`${copy}\`.t`)).rejects.toThrow(/Access denied/);
    const limits = await query<{ q: string; u: string }>(target.uri, `SELECT JSON_VALUE(Priv, '$.max_questions') AS q, JSON_VALUE(Priv, '$.max_user_connections') AS u FROM mysql.global_priv WHERE User = '${app}'`);
    expect(limits).toEqual([{ q: '1000', u: '7' }]);
    // CREATE ROLE made root an admin of the role; the restore took that back.
    expect(await query(target.uri, `SELECT User FROM mysql.roles_mapping WHERE Role = '${role}' AND User = 'root'`)).toEqual([]);
  });

  it('refuses accounts the target has, changing nothing; --skip-existing-users leaves them and reports them', async () => {
    const again = `${src.name}_again`;
    const refused = await runCli(['restore', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${again}`, '--users']);
    outputs.push(refused.stdout, refused.stderr);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the target already has the accounts');
    expect(refused.stderr).toContain(`${app}@%`);
    expect(refused.stderr).toContain('--skip-existing-users');
    expect(refused.stderr).toContain('[ACCOUNT_EXISTS]');
    expect(await query(target.uri, `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${again}'`)).toEqual([]);

    const skipped = await runCli(['restore', '--from', dir, '--target', target.uri, '--rename', `${src.name}:${again}`, '--users', '--skip-existing-users']);
    outputs.push(skipped.stdout, skipped.stderr);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/accounts: 0 created/);
    expect(skipped.stderr).toMatch(new RegExp(`accounts: \\d+ skipped, the target had them already: .*${app}@%`));
    // Left as they were: still granted on the first copy only.
    expect((await grantsOf(target.uri, accounts[2]!)).join('\n')).not.toContain(again);
  });

  it('resumes a restore stopped among its accounts (the ones it created are not taken for existing ones); a whole-instance dump takes accounts by default, --no-users not', async () => {
    // A fresh server: the first test's restore put these accounts on the shared target.
    const second = await startThrowawayServer({ serverId: 24 });
    cleanup.push(() => second.stop());
    const into = { [src.name]: `${src.name}_r` };
    let created = 0;
    const crash = async () => {
      if (++created === 1) throw new Error('killed among the accounts');
    };
    await expect(restore({ from: dir, target: second.uri, rename: into, users: true }, { hooks: { afterAccountCreated: crash } })).rejects.toThrow(/killed among the accounts/);
    const resumed = await restore({ from: dir, target: second.uri, rename: into, users: true, resume: true });
    expect(resumed.accounts!.skipped).toEqual([]);
    expect(resumed.accounts!.created).toEqual(expect.arrayContaining([role, `${app}@%`, `${reader}@127.0.0.1`]));
    for (const account of accounts) {
      const expected = (await grantsOf(uri, account)).map((g) => g.replaceAll(`\`${src.name}\``, `\`${src.name}_r\``)).sort();
      expect(await grantsOf(second.uri, account), account).toEqual(expected);
    }
    expect(await query(second.uri, `SELECT User FROM mysql.roles_mapping WHERE Role = '${role}' AND User = 'root'`)).toEqual([]);

    // A whole-instance dump of that server takes its accounts by default; --no-users leaves them out.
    const whole = await runCli(['dump', '--source', second.uri, '--out', path.join(tmp, 'whole'), '--threads', '1', '--quiet']);
    expect(whole.code, whole.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(tmp, 'whole', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.accounts!.list.map((a) => a.user).sort()).toEqual([app, reader, role].sort());
    expect(manifest.options.users).toBe(true);
    const without = await runCli(['dump', '--source', second.uri, '--out', path.join(tmp, 'whole-no-users'), '--threads', '1', '--quiet', '--no-users']);
    expect(without.code, without.stderr).toBe(0);
    const plain = JSON.parse(await readFile(path.join(tmp, 'whole-no-users', 'manifest.json'), 'utf8')) as Manifest;
    expect(plain.accounts).toBeUndefined();
    expect(plain.version).toBe(5);
    await expect(stat(path.join(tmp, 'whole-no-users', 'accounts'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an accounts file changed after the dump, or edited to grant to another account, before anything changes', async () => {
    const copy = path.join(tmp, 'tampered');
    await cp(dir, copy, { recursive: true });
    const file = path.join(copy, 'accounts/accounts.json');
    const text = await readFile(file, 'utf8');
    const edited = text.replace(`ON \`${src.name}\`.* TO \`${reader}\`@\`127.0.0.1\``, `ON *.* TO \`${reader}\`@\`127.0.0.1\`, \`root\`@\`%\``);
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const into = { [src.name]: `${src.name}_t` };
    await expect(restore({ from: copy, target: target.uri, rename: into, users: true })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    // With the manifest's sha256 made to match, the grant itself is refused.
    const manifestFile = path.join(copy, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
    manifest.accounts!.sha256 = createHash('sha256').update(edited).digest('hex');
    await writeFile(manifestFile, JSON.stringify(manifest));
    await expect(restore({ from: copy, target: target.uri, rename: into, users: true })).rejects.toMatchObject({ code: 'MANIFEST_INVALID', message: expect.stringContaining(`does not grant to ${reader}@127.0.0.1`) });
    expect(await query(target.uri, `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${src.name}_t'`)).toEqual([]);
  });

  it('refuses --users for an account that may not read the mysql database, before any schema is written', async () => {
    await query(uri, `CREATE USER \`${noPriv}\`@'%' IDENTIFIED BY 'np-pw'; GRANT SELECT ON \`${src.name}\`.* TO \`${noPriv}\`@'%'; GRANT RELOAD, BINLOG MONITOR ON *.* TO \`${noPriv}\`@'%'`);
    const source = new URL(uri);
    source.username = noPriv;
    source.password = 'np-pw';
    const out = path.join(tmp, 'nopriv');
    const refused = await runCli(['dump', '--source', source.toString(), '--out', out, '--databases', src.name, '--users', '--quiet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('dumping accounts (--users) needs SELECT on the mysql database');
    expect(refused.stderr).toContain('--no-users');
    expect(refused.stderr).toContain('[MISSING_PRIVILEGES]');
    await expect(stat(path.join(out, 'schema'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Without accounts the same account dumps.
    const plain = await runCli(['dump', '--source', source.toString(), '--out', out, '--databases', src.name, '--quiet']);
    expect(plain.code, plain.stderr).toBe(0);
    expect((JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest).accounts).toBeUndefined();
  });

  it('never prints a password hash', () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const text of outputs) for (const h of hashes) expect(text).not.toContain(h);
  });
});

import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures.ts';
import { backUp } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

test('a backup with users and roles: listed in the manifest browser, offered in the restore form, existing accounts refused or left as they are', async ({ page, source }) => {
  test.setTimeout(150_000);
  const db = await source.createDatabase('e2e_acc', { rows: 100 });
  const target = `${db}_acc`;
  source.dropAfter(target);
  const user = `e2e_acc_${randomBytes(3).toString('hex')}`;
  const role = `${user}_role`;
  await source.query(`CREATE ROLE \`${role}\``);
  await source.query(`GRANT SELECT ON \`${db}\`.* TO \`${role}\``);
  await source.query(`CREATE USER \`${user}\`@'%' IDENTIFIED BY 'e2e-acc-pw' WITH MAX_QUERIES_PER_HOUR 500`);
  await source.query(`GRANT \`${role}\` TO \`${user}\`@'%'`);
  const hash = ((await source.query(`SELECT JSON_VALUE(Priv, '$.authentication_string') AS h FROM mysql.global_priv WHERE User = '${user}'`)) as { h: string }[])[0]!.h;
  try {
    await backUp(page, source, db, { users: true });
    const runUrl = page.url();
    await expect(page.getByRole('list', { name: 'Run log' })).toContainText(/Dumped \d+ users? and \d+ roles? with their grants/);

    // The manifest browser lists them by name, never a hash.
    await page.goto(`${runUrl}/manifest`);
    const accounts = page.getByRole('region', { name: 'Accounts' });
    await expect(accounts.getByRole('row').filter({ hasText: `${user}@%` })).toContainText('user');
    await expect(accounts.getByRole('row').filter({ hasText: role })).toContainText('role');
    await expect(accounts).toContainText(/Left out \(system or excluded\): .*root@localhost/);
    expect(await page.content()).not.toContain(hash);
    await page.screenshot({ path: path.join(e2eShots, 'manifest-accounts.png'), fullPage: true });

    // Into the same server: the accounts are there already, so the restore is refused in the dashboard's words…
    await page.goto(`${runUrl}/restore`);
    await page.getByLabel(`Restore ${db} as`).fill(target);
    await page.getByRole('checkbox', { name: /Create the dump’s \d+ users? and \d+ roles?/ }).check();
    await page.getByRole('button', { name: 'Start restore' }).click();
    await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
    const refusal = page.getByRole('alert').filter({ hasText: 'The target already has some of the dump’s users or roles' });
    await expect(refusal).toBeVisible({ timeout: 60_000 });
    await expect(refusal).toContainText(`${user}@%`);

    // …and with "leave existing accounts" it restores, reporting them skipped.
    await page.goto(`${runUrl}/restore`);
    await page.getByLabel(`Restore ${db} as`).fill(target);
    await page.getByRole('checkbox', { name: /Create the dump’s/ }).check();
    await page.getByRole('checkbox', { name: 'Leave existing accounts as they are' }).check();
    await page.getByRole('button', { name: 'Start restore' }).click();
    await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
    await expect(page.getByRole('list', { name: 'Run log' })).toContainText(`Left user ${user}@% as it is: the target has it already`);
    expect(await page.content()).not.toContain(hash);
  } finally {
    await source.query(`DROP USER IF EXISTS \`${user}\`@'%'`);
    await source.query(`DROP ROLE IF EXISTS \`${role}\``);
  }
});

import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { saveServer } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

test('a plan with a restore drill: run a backup, run the drill, see the last proven restore on the plan and the overview', async ({ page, source }) => {
  test.setTimeout(180_000);
  const db = await source.createDatabase('e2e_drill', { rows: 2_000 });
  const serverName = `drill source ${db}`;

  await saveServer(page, source, serverName);

  await page.goto('/plans/new');
  await page.getByLabel('Plan name').fill(`drilled ${db}`);
  const server = page.getByRole('combobox', { name: 'Server' });
  await server.selectOption((await server.getByRole('option', { name: new RegExp(serverName) }).getAttribute('value'))!);
  await page.getByLabel('Databases').fill(db);
  await page.getByLabel('Schedule (cron)').fill('0 3 1 1 *');
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page).toHaveURL(/\/plans\/[^/]+$/);

  // The drill policy: into the source server as scratch (the prefix keeps it apart), one check.
  const policy = page.getByRole('form', { name: 'Restore drill policy' });
  const target = policy.getByRole('combobox', { name: 'Restore into' });
  await target.selectOption((await target.getByRole('option', { name: new RegExp(serverName) }).getAttribute('value'))!);
  await policy.getByLabel('Database name prefix').fill('e2edrill_');
  await policy.locator('#check-sql-0').fill('SELECT COUNT(*) FROM orders');
  await policy.locator('#check-compare-0').selectOption('=');
  await policy.locator('#check-expected-0').fill('2000');
  // A check that writes is refused at its field.
  await policy.locator('#check-sql-1').fill('DELETE FROM orders');
  await policy.locator('#check-expected-1').fill('0');
  await policy.getByRole('button', { name: 'Save drill policy' }).click();
  await expect(policy.locator('#check-sql-1-error')).toHaveText('A check is one SELECT query (or WITH … SELECT)');
  await policy.locator('#check-sql-1').fill('');
  await policy.locator('#check-expected-1').fill('');
  await policy.getByRole('button', { name: 'Save drill policy' }).click();
  await expect(page.getByTestId('proven-restore')).toHaveText('no proven restore yet');

  await page.getByRole('button', { name: 'Run now' }).click();
  const runs = page.getByRole('table', { name: 'Runs of this plan' });
  await expect.poll(async () => {
    await page.reload();
    return runs.getByText('succeeded').count();
  }, { timeout: 60_000 }).toBe(1);

  // After every backup (the default): the backup has started a drill already, or Run drill now does.
  const drills = page.getByRole('table', { name: 'Restore drills of this plan' });
  if ((await drills.count()) === 0) await page.getByRole('button', { name: 'Run drill now' }).click();
  await expect.poll(async () => {
    await page.reload();
    return drills.getByText('succeeded').count();
  }, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('proven-restore')).toHaveText(/^last proven restore: just now, recovery time \d+ (ms|s), recovery point \d\d:\d\d:\d\d UTC$/);
  // One drill per plan at a time: a click racing the after-backup drill is refused, never a second one.
  await expect.poll(async () => {
    await page.reload();
    return page.getByTestId('drill-badge').first().textContent();
  }, { timeout: 30_000 }).toBe('restore proven');
  expect(await drills.getByRole('row').count()).toBe(2);
  await expect(drills).toContainText('✓ SELECT COUNT(*) FROM orders: 2000');
  await page.screenshot({ path: path.join(e2eShots, 'plan-drills.png'), fullPage: true });

  // The overview: the plan's row says when a restore was last proven, and how long it took.
  await page.goto('/');
  const row = page.getByRole('row', { name: new RegExp(`drilled ${db}`) });
  await expect(row).toContainText(/last proven restore: just now, recovery time/);
  await expect(row).toContainText('restore proven');
  // Per server: the Servers page says when a restore of the server's plans was last proven.
  await page.goto('/servers');
  const saved = page.getByRole('listitem').filter({ hasText: serverName });
  await expect(saved.getByTestId('server-proven-restore')).toHaveText(new RegExp(`^last proven restore: just now, recovery time .*\\(plan drilled ${db}\\)$`));
  // Nothing of the drill is left on the server it restored into.
  expect(await source.query(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'e2edrill\\_%'`)).toEqual([]);
});

import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { saveServer } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

test('create a plan, see its next runs, run it now twice, see the result and the retention outcome', async ({ page, source }) => {
  test.setTimeout(180_000);
  const db = await source.createDatabase('e2e_plan', { rows: 2_000 });
  const serverName = `plan source ${db}`;

  await saveServer(page, source, serverName);

  await page.goto('/plans');
  await page.getByRole('link', { name: 'New plan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New plan' })).toBeVisible();
  await page.getByLabel('Plan name').fill(`nightly ${db}`);
  const server = page.getByRole('combobox', { name: 'Server' });
  await server.selectOption((await server.getByRole('option', { name: new RegExp(serverName) }).getAttribute('value'))!);
  await page.getByLabel('Databases').fill(db);

  // The schedule in words and its next five runs, as the user types; a bad expression or zone says why.
  const schedule = page.getByTestId('schedule-preview');
  await page.getByLabel('Schedule (cron)').fill('61 * * * *');
  await expect(schedule.getByRole('alert')).toContainText('BAD_CRON');
  await page.getByLabel('Schedule (cron)').fill('0 2 * * *');
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await expect(schedule.getByRole('alert')).toContainText('UNKNOWN_TIME_ZONE');
  await page.getByLabel('Time zone').fill('Europe/Paris');
  await expect(schedule).toContainText('Runs every day at 02:00 Europe/Paris');
  await expect(schedule.getByRole('list', { name: 'Next run times' }).getByRole('listitem')).toHaveCount(5);
  await expect(schedule.getByRole('listitem').first()).toContainText(/02:00 (CET|CEST|GMT\+1|GMT\+2)/);

  // Retention that keeps nothing is refused in the form, in words, before anything is saved.
  await page.getByLabel('Keep last').fill('0');
  await expect(page.getByTestId('retention-preview').getByRole('alert')).toContainText('RETENTION_KEEPS_NOTHING');
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page.locator('#plan-keepLast-error')).toHaveText(/^This retention would keep no backup/);
  // The backup form's words for the same fields.
  await page.getByLabel('Threads').fill('0');
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page.locator('#plan-threads-error')).toHaveText('From 1 to 64');
  await page.getByLabel('Threads').fill('2');
  await page.getByLabel('Keep last').fill('1');
  await page.screenshot({ path: path.join(e2eShots, 'plan-form.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create plan' }).click();

  await expect(page).toHaveURL(/\/plans\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`nightly ${db}`) })).toBeVisible();
  await expect(page.getByTestId('next-run')).toContainText(/\d{4}-\d\d-\d\d \d\d:00 UTC/);

  const runs = page.getByRole('table', { name: 'Runs of this plan' });
  for (const n of [1, 2]) {
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Done' })).toBeVisible();
    await expect
      .poll(
        async () => {
          await page.reload();
          return runs.getByText('succeeded').count();
        },
        { timeout: 60_000 },
      )
      .toBe(n);
  }
  // Keep last 1: the first backup was deleted after the second succeeded, and the row says so.
  // The retention pass follows the run's end: the page is not live, so look again until it shows.
  await expect
    .poll(
      async () => {
        await page.reload();
        return runs.getByText('deleted by retention').count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  await expect(runs.getByTestId('retention-outcome').first()).toContainText(/Deleted backup \S+ from/);
  await expect(runs.getByTestId('retention-outcome').first()).toContainText('Retention: kept 1 good backup(s), deleted 1');
  await expect(page.getByRole('heading', { name: 'Plan log' })).toBeVisible();
  await expect(page.getByText(/\[schedule\] Started backup \S+ \(run now\)/).first()).toBeVisible();
  await page.screenshot({ path: path.join(e2eShots, 'plan-detail.png'), fullPage: true });

  // The Plans page lists it with its last result.
  await page.goto('/plans');
  const row = page.getByRole('row', { name: new RegExp(`nightly ${db}`) });
  await expect(row).toContainText('every day at 02:00 Europe/Paris');
  await expect(row).toContainText('succeeded');
  await expect(row).toContainText(/just now|min ago/);
});

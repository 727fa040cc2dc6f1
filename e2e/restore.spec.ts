import path from 'node:path';
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { backUp } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

/** Rows loaded, as the progress bar announces it (`42% · 123,456 rows`). */
async function rowsLoaded(bar: Locator): Promise<number> {
  const text = (await bar.getAttribute('aria-valuetext')) ?? '';
  const match = /([\d,]+) rows/.exec(text);
  return match ? Number(match[1]!.replaceAll(',', '')) : -1;
}

test('restore with a point in time: rows written after the backup are rolled forward into the target', async ({ page, source }) => {
  test.setTimeout(150_000);
  const db = await source.createDatabase('e2e_pitr', { rows: 20_000 });
  const target = `${db}_pitr`;
  source.dropAfter(target);
  await backUp(page, source, db, { chunkRows: 2000, threads: 2 });

  // Written on the source after the backup: only the binary log has them.
  await source.query(`INSERT INTO \`${db}\`.orders SELECT 20000 + seq, 7, 'after the backup', '' FROM \`${db}\`.seq_1_to_25`);
  await source.query(`UPDATE \`${db}\`.customers SET name = 'renamed after the backup' WHERE id <= 3`);

  await page.getByRole('link', { name: 'Restore…' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
  await page.getByLabel(`Restore ${db} as`).fill(target);
  await page.getByRole('combobox', { name: 'Load rows with' }).selectOption('insert');
  const pointInTime = page.getByRole('group', { name: 'Point in time' });
  await expect(pointInTime.getByRole('radio', { name: 'Don’t roll forward' })).toBeChecked();
  await expect(pointInTime).toContainText(new RegExp(`binary log of e2e ${db}, the server this backup was taken from, from binlog\\.\\d+:\\d+`));

  // The stop value is checked field by field, in the form's words.
  await pointInTime.getByRole('radio', { name: /^Roll forward to a GTID/ }).check();
  await pointInTime.getByRole('textbox', { name: 'Stop GTID' }).fill('zero-one');
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('Enter a MariaDB GTID like 0-1-500')).toBeVisible();
  await expect(pointInTime.getByRole('textbox', { name: 'Stop GTID' })).toHaveAttribute('aria-invalid', 'true');
  await pointInTime.getByRole('radio', { name: /^Roll forward to a date and time/ }).check();
  await pointInTime.getByRole('textbox', { name: 'Stop date and time (UTC)' }).fill('2026-02-30 10:00:00');
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('That date and time does not exist')).toBeVisible();

  await pointInTime.getByRole('radio', { name: /^Roll forward to the end of the binary log/ }).check();
  // Throttling against the target: the rate in the engine's bounds, said at its field.
  await page.getByLabel('Max rate').fill('100K');
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('Must be at least 1M')).toBeVisible();
  await expect(page.getByLabel('Max rate')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Max rate').fill('50M');
  await page.getByRole('button', { name: 'Start restore' }).click();

  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Roll forward' })).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
  // Verified against the backup first, then rolled forward.
  await expect(page.getByRole('status').filter({ hasText: 'Verification passed for all 2 tables' })).toBeVisible();
  const outcome = page.getByRole('status', { name: 'Roll forward outcome' });
  await expect(outcome).toContainText(/^Rolled forward: [\d,]+ transactions read from the binary log/);
  const replays = page.getByRole('table', { name: 'Roll forward per database' });
  await expect(replays.getByRole('row').filter({ hasText: target })).toContainText(new RegExp(`${db}\\s*${target}\\s*done\\s*binlog\\.\\d+:\\d+`));
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText('Rolling forward with the binary log of');
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText(/Restoring into .*rows, with INSERT statements/);
  await page.screenshot({ path: path.join(e2eShots, 'restore-roll-forward.png'), fullPage: true });

  // The rows written after the backup are in the target.
  const [orders] = (await source.query(`SELECT COUNT(*) AS n, SUM(c = 'after the backup') AS late FROM \`${target}\`.orders`)) as { n: number; late: string }[];
  expect(Number(orders!.n)).toBe(20_025);
  expect(Number(orders!.late)).toBe(25);
  const [customers] = (await source.query(`SELECT COUNT(*) AS n FROM \`${target}\`.customers WHERE name = 'renamed after the backup'`)) as { n: number }[];
  expect(Number(customers!.n)).toBe(3);

  // Still there after a reload: the outcome is in the store.
  await page.reload();
  await expect(page.getByRole('status', { name: 'Roll forward outcome' })).toContainText('Rolled forward');
});

test('cancel a restore mid-way, then resume it: loaded chunks are kept and verification passes', async ({ page, source }) => {
  test.setTimeout(240_000);
  const ROWS = 600_000;
  const db = await source.createDatabase('e2e_rres', { rows: ROWS });
  const target = `${db}_resumed`;
  source.dropAfter(target);
  await backUp(page, source, db, { chunkRows: 1000, threads: 4 });

  await page.getByRole('link', { name: 'Restore…' }).click();
  await page.getByLabel(`Restore ${db} as`).fill(target);
  // One loader: slow enough to stop in the middle.
  await page.getByLabel('Threads').fill('1');
  await page.getByRole('button', { name: 'Start restore' }).click();

  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
  const bar = page.getByRole('progressbar', { name: 'Restore progress' });
  await expect.poll(() => rowsLoaded(bar), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The run was cancelled' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('cancelled', { exact: true })).toBeVisible();
  const atCancel = await rowsLoaded(bar);
  expect(atCancel).toBeGreaterThan(0);
  expect(atCancel).toBeLessThan(ROWS);

  // From the store after a reload: the loaded chunks are done in the chunk map, and Resume is offered.
  await page.reload();
  const orders = page.getByRole('region', { name: `Chunks of ${db}.orders` });
  await expect(orders.getByRole('button', { name: /^Chunk 0 of .*orders · done · id < 1001 · 1,000 rows/ })).toBeVisible();
  await expect(orders.getByRole('button', { name: new RegExp(`^Chunk ${ROWS / 1000 - 1} of .*orders · pending`) })).toBeVisible();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText('attempt 2', { exact: true })).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 180_000 });
  await expect(bar).toHaveAttribute('aria-valuetext', `100% · ${(ROWS + 5000).toLocaleString('en')} rows`);
  await expect(page.getByRole('status').filter({ hasText: 'Verification passed for all 2 tables' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText('Resumed (attempt 2): chunks already loaded are kept');
  await expect(page.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await page.screenshot({ path: path.join(e2eShots, 'restore-resumed.png'), fullPage: true });

  const [row] = (await source.query(`SELECT COUNT(*) AS n, SUM(id) AS s FROM \`${target}\`.orders`)) as { n: number; s: string }[];
  expect(Number(row!.n)).toBe(ROWS);
  expect(Number(row!.s)).toBe((ROWS * (ROWS + 1)) / 2);
});

import { expect, test } from './fixtures.ts';

// Both tests look at the same store: the empty state must not see the other test's run.
test.describe.configure({ mode: 'serial' });

test('the overview names the product and shows that there are no runs yet', async ({ page }) => {
  await page.goto('/');

  await expect(page).toHaveTitle('paradump');
  await expect(page.getByRole('heading', { level: 1, name: 'paradump' })).toBeVisible();
  await expect(page.getByText('MySQL and MariaDB')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Recent runs' })).toBeVisible();
  await expect(page.getByText('No runs yet')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  // The way to a first backup: a server of one's own, or the local sandbox (MariaDB is installed here).
  await expect(page.getByRole('link', { name: 'Add a server' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start a local sandbox server' })).toBeVisible();
});

test('the overview lists a run recorded after the server started', async ({ page, store }) => {
  store.insertRun({
    kind: 'dump',
    status: 'succeeded',
    outDir: '/backups/e2e-shop',
    startedAt: new Date('2026-11-23T10:00:00Z'),
    finishedAt: new Date('2026-11-23T10:03:07Z'),
    rows: 1_234_567,
    bytes: 50 * 1024 * 1024,
  });

  await page.goto('/');

  const runs = page.getByRole('table', { name: 'Recent runs' });
  await expect(runs.getByRole('row')).toHaveCount(2);
  const run = runs.getByRole('row').filter({ hasText: '/backups/e2e-shop' });
  await expect(run.getByRole('cell')).toHaveText([
    'Dump',
    'succeeded',
    '—',
    '—',
    '2026-11-23 10:00 UTC',
    '3 min 07 s',
    '1,234,567',
    '50 MiB',
    '/backups/e2e-shop',
  ]);
  await expect(page.getByText('No runs yet')).toHaveCount(0);
  await expect(page.getByRole('term').filter({ hasText: 'Success rate' })).toBeVisible();
  await expect(page.getByText('1 of 1 finished backups')).toBeVisible();

  // Filters: a status with no runs empties the table.
  await page.getByRole('combobox', { name: 'Status' }).selectOption('failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.getByText('No runs match these filters')).toBeVisible();
});

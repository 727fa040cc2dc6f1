import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { Manifest } from '../lib/core/manifest.ts';
import { expect, test } from './fixtures.ts';
import { saveServer } from './dashboard-steps.ts';
import { e2eShots } from './paths.ts';

// The dump runs at --max-rate 1.5M (about 40 MB here, so ~27 s), still running when the test clicks
// Cancel after its live checks however fast the machine: a dump that ends first makes the cancel a
// no-op and the run a success.
const ROWS = 250_000;

/** Rows written, as the progress bar announces it (`42% · 123,456 rows`). */
async function rowsWritten(bar: import('@playwright/test').Locator): Promise<number> {
  const text = (await bar.getAttribute('aria-valuetext')) ?? '';
  const match = /([\d,]+) rows/.exec(text);
  return match ? Number(match[1]!.replaceAll(',', '')) : -1;
}

/**
 * With runs on a worker (playwright.scaled.config.ts): the run log says the worker child (by its PID)
 * started the run, and /workers lists that worker running it, so the progress seen on the run page came to the dashboard through the queue.
 */
async function expectRunOnWorker(page: Page, runUrl: string, workerPidFile: string): Promise<void> {
  const pid = (await readFile(workerPidFile, 'utf8')).trim();
  const runPath = new URL(runUrl).pathname;
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText(new RegExp(`Started on .+ \\(pid ${pid}\\)`));
  const workers = await page.context().newPage();
  try {
    await workers.goto('/workers');
    const row = workers.getByRole('row').filter({ has: workers.getByRole('cell', { name: pid, exact: true }) });
    // The job list is the worker's last heartbeat: reload until the run is in it.
    await expect(async () => {
      await workers.reload();
      await expect(row).toContainText('running', { timeout: 1_000 });
      await expect(row.locator(`a[href="${runPath}"]`)).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await workers.screenshot({ path: path.join(e2eShots, 'workers-running-backup.png') });
  } finally {
    await workers.close();
  }
}

test('add a server, back up live, cancel, resume, and download a valid manifest', async ({ page, source, workerPidFile }) => {
  test.setTimeout(240_000);
  const db = await source.createDatabase('e2e_shop', { rows: ROWS });
  const serverName = `e2e source ${db}`;

  // Add the server: the form checks the connection before saving it.
  await saveServer(page, source, serverName);

  // New backup, with the server's live list of databases.
  await expect(page).toHaveURL(/\/backups\/new\?server=/);
  await expect(page.getByRole('combobox', { name: 'Server' })).toHaveValue(/.+/);
  await page.getByRole('checkbox', { name: db }).check();
  // A slow, real dump: one worker, small chunks.
  await page.getByLabel('Threads').fill('1');
  await page.getByLabel('Rows per chunk').fill('1000');
  await page.getByLabel('Max rate').fill('1.5M');
  await page.getByRole('combobox', { name: 'Compression' }).selectOption('gzip');
  // tsv files: the format must survive the cancel and the resume below.
  await expect(page.getByRole('combobox', { name: 'Data format' })).toHaveValue('sql');
  await page.getByRole('combobox', { name: 'Data format' }).selectOption('tsv');
  await expect(page.getByRole('radio', { name: /One snapshot/ })).toBeChecked();
  await page.getByRole('button', { name: 'Start backup' }).click();

  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  const runUrl = page.url();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Backup of ${db}`) })).toBeVisible();
  const bar = page.getByRole('progressbar', { name: 'Backup progress' });
  await expect(bar).toBeVisible();

  // The numbers move twice, without a reload.
  await expect.poll(() => rowsWritten(bar), { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await rowsWritten(bar);
  await expect.poll(() => rowsWritten(bar), { timeout: 15_000 }).toBeGreaterThan(first);
  const second = await rowsWritten(bar);
  await expect.poll(() => rowsWritten(bar), { timeout: 15_000 }).toBeGreaterThan(second);
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
  await expect(page.getByLabel(/^Rows\/s: [\d,.]+$/)).toBeVisible();
  await expect(page.getByLabel(/^MiB\/s: [\d,.]+ MiB\/s$/)).toBeVisible();

  // The chunk map: key ranges on each cell, details on focus.
  const orders = page.getByRole('region', { name: `Chunks of ${db}.orders` });
  const second_chunk = orders.getByRole('button', { name: /^Chunk 1 of .*orders · \w+ · id ≥ 1001 and < 2001/ });
  await expect(second_chunk).toBeVisible();
  // The detail line follows hover as well as focus: keep the pointer off the growing chunk map.
  await page.mouse.move(0, 0);
  await second_chunk.focus();
  await expect(orders.getByText(/^Chunk 1 of .* · id ≥ 1001 and < 2001 · [\d,]+ rows/)).toBeVisible();
  await expect(orders.getByRole('button', { name: /^Chunk 0 of .*orders · done · id < 1001 · 1,000 rows · [\d.]+ [KMG]?i?B · [\d.]+ m?s · worker 0$/ })).toBeVisible();

  // The lock timeline: the snapshot's instance lock, with its wait and hold.
  const locks = page.getByRole('table', { name: /Locks taken by the run/ });
  const instanceLock = locks.getByRole('row').filter({ hasText: 'instance' }).first();
  await expect(instanceLock).toContainText(/wait [\d.]+ m?s/);
  await expect(instanceLock).toContainText(/hold [\d.]+ m?s/);
  await expect(page.getByText(/Snapshot 0 \(instance\) at [\d:.]+ · binlog binlog\.\d+:\d+/)).toBeVisible();
  await expect(page.getByText(/throughput per second over \d+ seconds/i)).toBeVisible();
  await page.screenshot({ path: path.join(e2eShots, 'run-page-live.png'), fullPage: true });
  if (workerPidFile) await expectRunOnWorker(page, runUrl, workerPidFile);

  // Cancel: the run stops, keeps its chunks and offers Resume.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The run was cancelled' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('cancelled', { exact: true })).toBeVisible();
  const atCancel = await rowsWritten(bar);
  expect(atCancel).toBeGreaterThan(0);
  expect(atCancel).toBeLessThan(ROWS);
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText('Cancel requested');

  // Still cancelled after a reload (it is in the store), and Resume finishes it.
  await page.reload();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText('running', { exact: true })).toBeVisible();
  await expect(page.getByText('attempt 2', { exact: true })).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(bar).toHaveAttribute('aria-valuetext', `100% · ${(ROWS + 5000).toLocaleString('en')} rows`);
  // (on a worker: "Resumed (attempt 2 on <host> (pid N))")
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText(/Resumed \(attempt 2[ )]/);
  await page.screenshot({ path: path.join(e2eShots, 'run-page-finished.png'), fullPage: true });

  // The manifest downloads and is what the engine's schema says a manifest is.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download manifest.json' }).first().click()]);
  const manifest = Manifest.parse(JSON.parse(await readFile((await download.path())!, 'utf8')));
  expect(manifest.totals.rows).toBe(ROWS + 5000);
  expect(manifest.resumedAt).toHaveLength(1);
  expect(manifest.options).toMatchObject({ format: 'tsv', compress: 'gzip' });
  expect(manifest.version).toBe(5); // tsv needs 2, xxh3 content hashes 5
  expect(manifest.tables.flatMap((t) => t.chunks.map((c) => c.file)).every((f) => f.endsWith('.tsv.gz'))).toBe(true);
  expect(manifest.tables.map((t) => `${t.database}.${t.table}`).sort()).toEqual([`${db}.customers`, `${db}.orders`]);
  expect(manifest.tables.find((t) => t.table === 'orders')?.chunks).toHaveLength(ROWS / 1000);

  // The restore kit names the exact commands, and no password.
  const [kit] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download restore kit' }).first().click()]);
  const script = await readFile((await kit.path())!, 'utf8');
  // (each followed by the TLS options the operator may set in the environment)
  expect(script).toContain('"$PARADUMP" restore --from "$DUMP_DIR" --target "$TARGET" --threads 1 ${PARADUMP_SSL_MODE:+--ssl-mode "$PARADUMP_SSL_MODE"}');
  expect(script).toContain('# Data files are tsv, loaded with LOAD DATA LOCAL INFILE: the target needs local_infile = ON.');
  expect(script).toContain('"$PARADUMP" verify --from "$DUMP_DIR" --target "$TARGET" ${PARADUMP_SSL_MODE:+--ssl-mode "$PARADUMP_SSL_MODE"}');

  // The manifest browser: verdict and coordinates on top, tables searchable, chunks with checksums.
  await page.getByRole('link', { name: 'Browse manifest' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Manifest browser' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Consistent within each snapshot (the run was resumed)' })).toBeVisible();
  await expect(page.getByText(/^snapshot 0: binlog\.\d+:\d+$/)).toBeVisible();
  await expect(page.getByText(/^snapshot 1: binlog\.\d+:\d+$/)).toBeVisible();
  await expect(page.getByText('TSV (LOAD DATA; the target needs local_infile) · gzip')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search tables' }).fill('orders');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('1 of 2 tables')).toBeVisible();
  await page.screenshot({ path: path.join(e2eShots, 'manifest-browser.png'), fullPage: true });
  await page.getByRole('link', { name: `${db}.orders`, exact: true }).click();
  const chunks = page.getByRole('table', { name: `Chunks of ${db}.orders` });
  // 250 chunks, paged 200 at a time: a header row and the first 200, then the last page's 50.
  const chunkPages = ROWS / 1000 / 200;
  await expect(chunks.getByRole('row')).toHaveCount(200 + 1);
  const chunkPager = page.getByRole('navigation', { name: 'Pages of chunks' });
  await expect(chunkPager.getByText(`Page 1 of ${Math.ceil(chunkPages)}`)).toBeVisible();
  const chunk1 = chunks.getByRole('row').nth(2).getByRole('cell');
  await expect(chunk1.nth(0)).toHaveText('1');
  await expect(chunk1.nth(1)).toHaveText('id ≥ 1001 and < 2001');
  await expect(chunk1.nth(2)).toHaveText('1,000');
  await expect(chunk1.last()).toHaveText(/^[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(e2eShots, 'manifest-chunks.png') });
  for (let p = 2; p <= Math.ceil(chunkPages); p += 1) {
    await chunkPager.getByRole('link', { name: 'Next' }).click();
    await expect(chunkPager.getByText(`Page ${p} of ${Math.ceil(chunkPages)}`)).toBeVisible();
  }
  await expect(chunks.getByRole('row')).toHaveCount(ROWS / 1000 - 200 * (Math.ceil(chunkPages) - 1) + 1);
  await expect(chunks.getByRole('row').last().getByRole('cell').nth(0)).toHaveText(String(ROWS / 1000 - 1));

  // Its restore form offers no INSERTs to load with: a tsv dump has none.
  await page.goto(`${runUrl}/restore`);
  const loadWith = page.getByRole('combobox', { name: 'Load rows with' });
  await expect(loadWith.getByRole('option')).toHaveText(['Automatic: LOAD DATA when the target allows it', 'LOAD DATA LOCAL INFILE (the target needs local_infile)']);
  await expect(page.getByText('This is a TSV dump: it always loads with LOAD DATA')).toBeVisible();

  // And the overview counts it.
  await page.goto('/');
  await expect(page.getByRole('table', { name: 'Recent runs' }).getByRole('row').filter({ hasText: serverName })).toContainText('succeeded');
  expect(runUrl).toContain('/runs/');
});

test('the forms say what is wrong in plain words', async ({ page, source }) => {
  await page.goto('/servers');
  await page.getByRole('button', { name: 'Save server' }).click();
  await expect(page.getByText('Give the server a name')).toBeVisible();
  await expect(page.getByText('Enter the user name')).toBeVisible();
  // A corrected field drops its error at once; the others keep theirs until the next submit.
  await page.getByLabel('Name').fill(`nowhere ${Date.now()}`);
  await expect(page.getByText('Give the server a name')).toBeHidden();
  await expect(page.getByLabel('Name')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter the user name')).toBeVisible();

  // Nothing listens on port 1.
  await page.getByLabel('Port').fill('1');
  await page.getByLabel('User').fill('root');
  await page.getByRole('button', { name: 'Save server' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The server refused the connection' })).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue(/^nowhere/);

  // A real server, then a backup with nothing picked.
  await page.getByLabel('Name').fill(`e2e forms ${Date.now()}`);
  await page.getByLabel('Port').fill(String(source.port));
  await page.getByLabel('User').fill(source.user);
  await page.getByLabel('Password').fill(source.password);
  await page.getByRole('button', { name: 'Save server' }).click();
  await expect(page).toHaveURL(/\/backups\/new/);
  await page.getByLabel('Threads').fill('0');
  await page.getByRole('combobox', { name: 'Compression' }).selectOption('gzip');
  await page.getByRole('combobox', { name: 'Data format' }).selectOption('tsv');
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByText('Pick at least one database or table')).toBeVisible();
  await expect(page.getByText('From 1 to 64')).toBeVisible();
  // A refused form keeps what was chosen, selects too (React resets a form after each submission).
  await expect(page.getByLabel('Threads')).toHaveValue('0');
  await expect(page.getByRole('combobox', { name: 'Compression' })).toHaveValue('gzip');
  await expect(page.getByRole('combobox', { name: 'Data format' })).toHaveValue('tsv');
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByText('From 1 to 64')).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Data format' })).toHaveValue('tsv');
});

test('restore a backup into a new database and see verification pass', async ({ page, source }) => {
  test.setTimeout(120_000);
  const db = await source.createDatabase('e2e_rs', { rows: 20_000 });
  const target = `${db}_restored`;
  source.dropAfter(target);

  await saveServer(page, source, `e2e restore ${db}`);
  await page.getByRole('checkbox', { name: db }).check();
  await page.getByLabel('Rows per chunk').fill('2000');
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('link', { name: 'Restore…' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Restore' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Target server' })).toHaveValue(/.+/);
  await expect(page.getByRole('combobox', { name: 'Target server' }).locator('option:checked')).toHaveText(new RegExp(`^e2e restore ${db}`));
  await page.getByLabel(`Restore ${db} as`).fill(target);
  await expect(page.getByRole('checkbox', { name: 'Verify after loading' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Load rows with' })).toHaveValue('auto');
  await page.getByRole('button', { name: 'Start restore' }).click();

  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar', { name: 'Restore progress' })).toHaveAttribute('aria-valuetext', '100% · 25,000 rows');
  await expect(page.getByRole('status').filter({ hasText: 'Verification passed for all 2 tables' })).toBeVisible();
  // The sandbox target allows local_infile: the SQL dump went in as LOAD DATA.
  await expect(page.getByRole('list', { name: 'Run log' })).toContainText(/Restoring into .*rows, with LOAD DATA LOCAL INFILE/);
  const verification = page.getByRole('table', { name: 'Verification per table' });
  await expect(verification.getByRole('row').filter({ hasText: `${target}.orders` })).toContainText(/10 of 10\s*passed/);
  await expect(page.getByRole('region', { name: `Chunks of ${db}.orders` }).getByRole('button', { name: /^Chunk 9 of .*orders · done · id ≥ 18001 · 2,000 rows/ })).toBeVisible();
  await page.screenshot({ path: path.join(e2eShots, 'restore-run-page.png'), fullPage: true });

  // The rows are really there, under the new name.
  const [row] = (await source.query(`SELECT COUNT(*) AS n, SUM(id) AS s FROM \`${target}\`.orders`)) as { n: number; s: string }[];
  expect(Number(row!.n)).toBe(20_000);
  expect(Number(row!.s)).toBe((20_000 * 20_001) / 2);
});

test('a newcomer starts a local sandbox server with sample data in one click', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/servers');
  await page.getByRole('button', { name: 'Start a local sandbox server' }).click();
  await expect(page).toHaveURL(/\/backups\/new\?server=/, { timeout: 90_000 });
  await expect(page.getByRole('combobox', { name: 'Server' }).locator('option:checked')).toHaveText(/^Local sandbox \(root@127\.0\.0\.1:\d+\)$/);
  await expect(page.getByRole('checkbox', { name: /^sample_shop 3 tables · about [\d,]+ rows/ })).toBeVisible();
});

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyId } from '../lib/core/dump-key.ts';
import { startS3Server, S3_KEY } from '../test/harness/s3-server.ts';
import { saveServer } from './dashboard-steps.ts';
import { expect, test } from './fixtures.ts';
import { e2eStoreDir } from './paths.ts';

test('storage targets: a wrong secret is refused with its code, a local target is probed and saved, then deleted', async ({ page }) => {
  const s3 = await startS3Server({ buckets: ['e2e-copies'] });
  try {
    const tag = randomBytes(3).toString('hex');
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Targets' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Storage targets' })).toBeVisible();
    const form = page.getByRole('region', { name: 'Add a storage target' });

    // S3 with a wrong secret: the probe's code at the form, nothing saved, the secret not sent back.
    await page.getByLabel('Name', { exact: true }).fill(`bucket ${tag}`);
    await page.getByLabel('Bucket and prefix').fill(`s3://e2e-copies/${tag}`);
    await page.getByLabel('Endpoint').fill(s3.endpoint);
    await page.getByLabel('Access key id').fill(S3_KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill('not-the-secret');
    await page.getByRole('button', { name: 'Probe and save' }).click();
    const alert = form.getByRole('alert');
    await expect(alert).toContainText('The storage service did not accept the access key');
    await alert.getByText(/Details/).click();
    await expect(alert).toContainText('STORAGE_AUTH_FAILED');
    await expect(page.getByLabel('Secret access key')).toHaveValue('');
    await expect(page.getByRole('listitem', { name: `bucket ${tag}` })).toHaveCount(0);

    // A local directory inside the dump root: probed, saved, listed.
    await page.getByLabel('Kind').selectOption('local');
    await page.getByLabel('Name', { exact: true }).fill(`disk ${tag}`);
    await page.getByLabel('Directory').fill(`copies-${tag}`);
    await page.getByRole('button', { name: 'Probe and save' }).click();
    await expect(form.getByRole('status')).toContainText(`Saved “disk ${tag}”: the probe listed, wrote and deleted a test object`);
    const saved = page.getByRole('listitem', { name: `disk ${tag}` });
    await expect(saved).toContainText('local');
    await expect(saved).toContainText(`copies-${tag}`);

    page.once('dialog', (d) => void d.accept());
    await saved.getByRole('button', { name: `Delete disk ${tag}` }).click();
    await expect(saved).toHaveCount(0);
  } finally {
    await s3.stop();
  }
});

test('a plan with a copy target and a key file: the plan form ticks it, the run page lists the verified, encrypted copy, which restores', async ({ page, source }) => {
  test.setTimeout(180_000);
  const db = await source.createDatabase('e2e_copy', { rows: 500 });
  const tag = randomBytes(3).toString('hex');
  await saveServer(page, source, `copy source ${db}`);
  const key = randomBytes(32);
  const keyFile = path.join(e2eStoreDir, `${db}.key`);
  await writeFile(keyFile, key.toString('base64'), { mode: 0o600 });

  await page.goto('/targets');
  await page.getByLabel('Kind').selectOption('local');
  await page.getByLabel('Name', { exact: true }).fill(`copy disk ${tag}`);
  await page.getByLabel('Directory').fill(`copies-plan-${tag}`);
  await page.getByRole('button', { name: 'Probe and save' }).click();
  await expect(page.getByRole('region', { name: 'Add a storage target' }).getByRole('status')).toContainText(`Saved “copy disk ${tag}”`);

  await page.goto('/plans/new');
  await page.getByLabel('Plan name').fill(`copied ${db}`);
  const server = page.getByRole('combobox', { name: 'Server' });
  await server.selectOption((await server.getByRole('option', { name: new RegExp(`copy source ${db}`) }).getAttribute('value'))!);
  await page.getByLabel('Databases').fill(db);
  await page.getByRole('group', { name: 'Copies' }).getByRole('checkbox', { name: new RegExp(`copy disk ${tag}`) }).check();
  await page.getByRole('textbox', { name: 'Encrypt with key file (optional)' }).fill(keyFile);
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page).toHaveURL(/\/plans\/[^/]+$/);
  await expect(page.getByText('Copies to')).toBeVisible();
  await expect(page.getByText(`copy disk ${tag}`)).toBeVisible();
  await expect(page.getByText('Encrypted with key file')).toBeVisible();

  await page.getByRole('button', { name: 'Run now' }).click();
  const runs = page.getByRole('table', { name: 'Runs of this plan' });
  await expect
    .poll(
      async () => {
        await page.reload();
        return runs.getByText('succeeded').count();
      },
      { timeout: 60_000 },
    )
    .toBe(1);
  await runs.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  // The copy follows the run's end; the section is rendered with the page.
  const copies = page.getByRole('region', { name: /Copies/ });
  await expect
    .poll(
      async () => {
        await page.reload();
        return copies.getByRole('row', { name: new RegExp(`copy disk ${tag}`) }).textContent();
      },
      { timeout: 30_000 },
    )
    .toContain('verified');
  await expect(copies).toContainText(`copies-plan-${tag}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`encrypted · key ${keyId(key)}`);

  // Restore from the copy (read through its saved target), with the key.
  const target = `${db}_fromcopy`;
  source.dropAfter(target);
  await page.goto(`${page.url()}/restore`);
  await page.getByRole('group', { name: 'Read from' }).getByRole('radio', { name: new RegExp(`Its copy on copy disk ${tag}`) }).check();
  await page.getByRole('textbox', { name: 'Key file' }).fill(keyFile);
  await page.getByLabel(`Restore ${db} as`).fill(target);
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
  await expect(page.getByText(`copies-plan-${tag}`)).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
  const [row] = (await source.query(`SELECT COUNT(*) AS n FROM \`${target}\`.orders`)) as { n: number }[];
  expect(Number(row!.n)).toBe(500);
});

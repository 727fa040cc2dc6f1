import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyId } from '../lib/core/dump-key.ts';
import { expect, test } from './fixtures.ts';
import { saveServer } from './dashboard-steps.ts';
import { e2eShots, e2eStoreDir } from './paths.ts';

test('an encrypted backup from the form (a bad key file refused at the field): the run and the manifest show its key id, the restore form asks for the key file and refuses the wrong one at the field', async ({ page, source }) => {
  test.setTimeout(150_000);
  const db = await source.createDatabase('e2e_enc', { rows: 3_000 });
  const target = `${db}_enc`;
  source.dropAfter(target);
  const key = randomBytes(32);
  const keyFile = path.join(e2eStoreDir, `${db}.key`);
  const otherFile = path.join(e2eStoreDir, `${db}-other.key`);
  const badFile = path.join(e2eStoreDir, `${db}-bad.key`);
  await writeFile(keyFile, key.toString('hex'), { mode: 0o600 });
  await writeFile(otherFile, randomBytes(32), { mode: 0o600 });
  await writeFile(badFile, 'not a key', { mode: 0o600 });

  // The backup form encrypts with a key file on the server: a file holding no key is refused at the field.
  await saveServer(page, source, `e2e ${db}`);
  await page.getByRole('checkbox', { name: db }).check();
  await page.getByLabel('Threads').fill('2');
  await page.getByLabel('Rows per chunk').fill('1000');
  const encryptField = page.getByRole('textbox', { name: 'Encrypt with key file (optional)' });
  await encryptField.fill(badFile);
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page.getByText('The key file holds no valid key')).toBeVisible();
  await expect(encryptField).toHaveAttribute('aria-invalid', 'true');
  await encryptField.fill(keyFile);
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`encrypted · key ${keyId(key)}`);
  const runUrl = page.url();

  await page.goto(`${runUrl}/manifest`);
  await expect(page.getByText(`encrypted · key ${keyId(key)}`)).toBeVisible();

  await page.goto(`${runUrl}/restore`);
  const keyField = page.getByRole('textbox', { name: 'Key file' });
  await expect(page.getByRole('group', { name: 'Decryption' })).toContainText(`encrypted with key ${keyId(key)}`);
  await page.getByLabel(`Restore ${db} as`).fill(target);
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('This backup is encrypted: a key file is needed.')).toBeVisible();
  await expect(keyField).toHaveAttribute('aria-invalid', 'true');
  await keyField.fill('relative.key');
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('An absolute path on the server')).toBeVisible();
  await keyField.fill(otherFile);
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByText('The key is not the one this backup was encrypted with.')).toBeVisible();
  expect(await source.query(`SHOW DATABASES LIKE '${target}'`)).toHaveLength(0);

  await keyField.fill(keyFile);
  await page.getByRole('button', { name: 'Start restore' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Restore of ${target}`) })).toBeVisible();
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Verification passed for all 2 tables' })).toBeVisible();
  await page.screenshot({ path: path.join(e2eShots, 'restore-encrypted.png'), fullPage: true });
  const [row] = (await source.query(`SELECT COUNT(*) AS n FROM \`${target}\`.orders`)) as { n: number }[];
  expect(Number(row!.n)).toBe(3_000);
});

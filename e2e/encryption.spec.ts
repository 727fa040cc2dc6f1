import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyId } from '../lib/core/dump-key.ts';
import { dump } from '../lib/engine/dump.ts';
import { expect, test } from './fixtures.ts';
import { backUp } from './dashboard-steps.ts';
import { e2eDumpsDir, e2eShots, e2eStoreDir } from './paths.ts';

/** The dump directory of the dashboard's backup of `db` (the one whose manifest names it). */
async function dumpDirOf(db: string): Promise<string> {
  for (const entry of await readdir(e2eDumpsDir)) {
    const dir = path.join(e2eDumpsDir, entry);
    const text = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => null);
    if (text && (JSON.parse(text) as { databases: { name: string }[] }).databases.some((d) => d.name === db)) return dir;
  }
  throw new Error(`no dump of ${db} in ${e2eDumpsDir}`);
}

test('an encrypted backup: the manifest shows its key id, the restore form asks for the key file and refuses the wrong one at the field', async ({ page, source }) => {
  test.setTimeout(150_000);
  const db = await source.createDatabase('e2e_enc', { rows: 3_000 });
  const target = `${db}_enc`;
  source.dropAfter(target);
  await backUp(page, source, db, { chunkRows: 1000, threads: 2 });
  const runUrl = page.url();

  // The dashboard does not make encrypted dumps: the run's directory gets one made by the engine.
  const dir = await dumpDirOf(db);
  const key = randomBytes(32);
  const keyFile = path.join(e2eStoreDir, `${db}.key`);
  const otherFile = path.join(e2eStoreDir, `${db}-other.key`);
  await writeFile(keyFile, key.toString('hex'), { mode: 0o600 });
  await writeFile(otherFile, randomBytes(32), { mode: 0o600 });
  await rm(dir, { recursive: true, force: true });
  await dump({ source: `mysql://${source.user}:${encodeURIComponent(source.password)}@${source.host}:${source.port}`, outDir: dir, databases: [db], chunkRows: 1000, threads: 2, encryption: { keyFile } });

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

import type { Page } from '@playwright/test';
import { expect, type SourceServer } from './fixtures.ts';

/** Saves the throwaway server under `name` from the servers page; the form checks the connection first. Ends on its new-backup form. */
export async function saveServer(page: Page, source: SourceServer, name: string): Promise<void> {
  await page.goto('/servers');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Host').fill(source.host);
  await page.getByLabel('Port').fill(String(source.port));
  await page.getByLabel('User').fill(source.user);
  await page.getByLabel('Password').fill(source.password);
  await page.getByRole('button', { name: 'Save server' }).click();
  await expect(page).toHaveURL(/\/backups\/new\?server=/);
}

/** Saves the server and takes a finished backup of `db` from the form; ends on the backup's run page. */
export async function backUp(page: Page, source: SourceServer, db: string, options: { chunkRows?: number; threads?: number; users?: boolean } = {}): Promise<void> {
  await saveServer(page, source, `e2e ${db}`);
  await page.getByRole('checkbox', { name: db }).check();
  if (options.users) await page.getByRole('checkbox', { name: /Include users and roles/ }).check();
  if (options.threads !== undefined) await page.getByLabel('Threads').fill(String(options.threads));
  if (options.chunkRows !== undefined) await page.getByLabel('Rows per chunk').fill(String(options.chunkRows));
  await page.getByRole('button', { name: 'Start backup' }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  await expect(page.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 90_000 });
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eAdmin, e2eAuthState } from './paths.ts';

test('sign in as the admin created from the environment', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByLabel('User name').fill(e2eAdmin.username);
  await page.getByLabel('Password').fill(e2eAdmin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'paradump' })).toBeVisible();
  mkdirSync(path.dirname(e2eAuthState), { recursive: true });
  await page.context().storageState({ path: e2eAuthState });
});

import { expect, test } from './fixtures.ts';
import { e2eAdmin } from './paths.ts';

// A browser with no session.
test.use({ storageState: { cookies: [], origins: [] } });

const PAGES = ['/', '/servers', '/backups/new', '/backups/new?server=x', '/runs/any', '/runs/any/manifest', '/runs/any/restore', '/setup'];
const API = ['events', 'manifest', 'restore-kit', 'summary'];

test('without a session every page leads to sign-in and every route answers 401', async ({ page, request }) => {
  for (const url of PAGES) {
    await page.goto(url);
    await expect(page, `${url} without a session`).toHaveURL(/\/signin$/);
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // No navigation for someone who is not signed in.
  await expect(page.getByRole('link', { name: 'New backup' })).toHaveCount(0);

  for (const route of API) {
    for (const id of ['any', 'e2e-missing', '..%2F..%2Fetc']) {
      const response = await request.get(`/api/runs/${id}/${route}`, { headers: { cookie: 'paradump_session=forged-token' } });
      expect(response.status(), `${route} for ${id}`).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  }
});

test('signing in sets an httpOnly, SameSite=Lax cookie, signing out ends the session, and guessing is limited', async ({ page, context, request }) => {
  await page.goto('/signin');
  await page.getByLabel('User name').fill(e2eAdmin.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong user name or password' })).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.getByLabel('Password').fill(e2eAdmin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'paradump' })).toBeVisible();
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'paradump_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  expect(cookie!.value.length).toBeGreaterThanOrEqual(40);
  const api = await request.get('/api/runs/any/summary', { headers: { cookie: `paradump_session=${cookie!.value}` } });
  expect(api.status()).toBe(404);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  // The old token is dead on the server, not just forgotten by the browser.
  const after = await request.get('/api/runs/any/summary', { headers: { cookie: `paradump_session=${cookie!.value}` } });
  expect(after.status()).toBe(401);

  // Five wrong guesses for one account from one address, then a pause, even with the right password.
  const name = `guess-${Date.now()}`;
  for (let i = 0; i < 5; i++) {
    // A fresh form each time: React resets the previous one when its action settles.
    await page.goto('/signin');
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Password').fill(`wrong ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Wrong user name or password' })).toBeVisible();
  }
  await page.goto('/signin');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill('wrong again');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Too many attempts' })).toBeVisible();
});

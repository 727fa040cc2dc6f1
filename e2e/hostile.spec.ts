import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { e2eDumpRoot, e2eStoreDir } from './paths.ts';

const RAW_IDS = ['x', '..', '../..', '../../etc/passwd', '/etc/passwd', '\0', 'a\0b', '%', '%%', '`', "'", '"', ';', 'a b', 'ünïcødé', '数据库', '😀', '\u202e', 'a'.repeat(4000), '.', '~', '$(id)', '<script>', 'NaN', '-1', '0', 'null', 'undefined', '{}', '[]', '\\..\\..', 'C:\\x', 'e2e-missing', '../../../../../../tmp'];
// As a browser or a script would put them in the path: encoded once, encoded twice, and raw where the URL allows.
const IDS = [...new Set([...RAW_IDS.map(encodeURIComponent), ...RAW_IDS.map((id) => encodeURIComponent(encodeURIComponent(id))), '..%2F..%2Fetc', '%2e%2e%2f%2e%2e', '%00', '%ZZ', '%c0%ae%c0%ae'])];

test('route parameters: hundreds of malformed run ids get clean 4xx answers, never a 500 or a file', async ({ request }) => {
  test.setTimeout(120_000);
  let count = 0;
  for (const id of IDS) {
    for (const route of ['events', 'manifest', 'restore-kit', 'summary']) {
      const response = await request.get(`/api/runs/${id}/${route}`);
      expect(response.status(), `${route} ${id.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(response.status(), `${route} ${id.slice(0, 80)}`).toBeLessThan(500);
      count++;
    }
    for (const page of ['', '/manifest', '/restore']) {
      const response = await request.get(`/runs/${id}${page}`);
      expect(response.status(), `page ${page} ${id.slice(0, 80)}`).toBeLessThan(500);
      count++;
    }
  }
  expect(count).toBeGreaterThanOrEqual(300);
  expect(existsSync(path.join(e2eStoreDir, '..', 'etc'))).toBe(false);
});

test('test connection says what is wrong in plain words and which privileges are missing', async ({ page, source }) => {
  await page.goto('/servers');
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill('1');
  await page.getByLabel('User').fill('root');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status', { name: 'Connection test' })).toContainText('refused the connection');

  // A real account with every privilege.
  await page.getByLabel('Port').fill(String(source.port));
  await page.getByLabel('User').fill(source.user);
  await page.getByLabel('Password').fill(source.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status', { name: 'Connection test' })).toContainText(/has every privilege a snapshot dump needs/);
  // The form keeps what was typed, password included, for Save.
  await expect(page.getByLabel('Password')).toHaveValue(source.password);

  // A wrong password.
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status', { name: 'Connection test' })).toContainText('Access denied');

  // An account that can only SELECT lacks what a snapshot needs.
  const user = `e2e_ro_${Date.now()}`;
  await source.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'ro-pass-123'`);
  await source.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY 'ro-pass-123'`);
  await source.query(`GRANT SELECT ON *.* TO '${user}'@'%'`);
  await source.query(`GRANT SELECT ON *.* TO '${user}'@'localhost'`);
  try {
    await page.getByLabel('User').fill(user);
    await page.getByLabel('Password').fill('ro-pass-123');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('list', { name: 'Missing privileges' })).toContainText('RELOAD');
  } finally {
    await source.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await source.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
  }
});

test('an output location outside the dump root is refused at the field', async ({ page, source }) => {
  const db = await source.createDatabase('e2e_confine', { rows: 10 });
  await page.goto('/servers');
  await page.getByLabel('Name').fill(`e2e confine ${Date.now()}`);
  await page.getByLabel('Port').fill(String(source.port));
  await page.getByLabel('User').fill(source.user);
  await page.getByLabel('Password').fill(source.password);
  await page.getByRole('button', { name: 'Save server' }).click();
  await expect(page).toHaveURL(/\/backups\/new/);
  for (const outDir of ['../../escaped', '/tmp/paradump-e2e-escaped']) {
    // Checked each time: the form resets its checkboxes after a refusal.
    await page.getByRole('checkbox', { name: db }).check();
    await page.getByLabel('Output location').fill(outDir);
    await page.getByRole('button', { name: 'Start backup' }).click();
    await expect(page.getByText(`the path must be inside ${e2eDumpRoot}`)).toBeVisible();
  }
  expect(existsSync('/tmp/paradump-e2e-escaped')).toBe(false);
  expect(existsSync(path.join(e2eDumpRoot, '..', '..', 'escaped'))).toBe(false);
});

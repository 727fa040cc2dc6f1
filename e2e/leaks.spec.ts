import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures.ts';
import { e2eDumpsDir, e2eServerLog, e2eStoreDir, e2eStoreFile, SECRET_MARKER } from './paths.ts';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

const contains = (file: string) => readFileSync(file).includes(Buffer.from(SECRET_MARKER));

test('after the full run the server password is in no page, payload, stream, download, log, store or dump', async ({ request }) => {
  test.setTimeout(120_000);
  const db = new Database(e2eStoreFile, { readonly: true, fileMustExist: true });
  const servers = db.prepare(`SELECT "id", "user", "passwordSealed" FROM "Server"`).all() as { id: string; user: string; passwordSealed: string }[];
  const runs = db.prepare(`SELECT "id", "kind" FROM "Run" WHERE "id" NOT LIKE 'e2e-%'`).all() as { id: string; kind: string }[];
  db.close();

  // The backup specs saved the marked account, and the store holds its password sealed only.
  const marked = servers.filter((s) => s.user === 'paradump_e2e');
  expect(marked.length).toBeGreaterThan(0);
  for (const s of marked) expect(s.passwordSealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
  expect(runs.filter((r) => r.kind === 'dump').length).toBeGreaterThan(0);
  expect(runs.filter((r) => r.kind === 'restore').length).toBeGreaterThan(0);

  // Every page, stream and download of every run, and the lists.
  const urls = ['/', '/servers', ...servers.map((s) => `/backups/new?server=${s.id}`)];
  for (const { id } of runs) {
    urls.push(`/runs/${id}`, `/runs/${id}/manifest`, `/runs/${id}/restore`, `/api/runs/${id}/events`, `/api/runs/${id}/manifest`, `/api/runs/${id}/restore-kit`, `/api/runs/${id}/summary`);
  }
  let bytes = 0;
  for (const url of urls) {
    const response = await request.get(url);
    expect(response.status(), url).toBeLessThan(500);
    const body = await response.text();
    bytes += body.length;
    expect(body.includes(SECRET_MARKER), `${url} contains the password`).toBe(false);
    if (url.endsWith('/events')) expect(body).toContain('data: {"type":"snapshot"');
  }
  expect(bytes).toBeGreaterThan(10_000);

  // The server's own output, the store (with its WAL) and every dump file.
  expect(statSync(e2eServerLog).size).toBeGreaterThan(0);
  expect(contains(e2eServerLog), 'server log').toBe(false);
  const storeFiles = filesUnder(e2eStoreDir).filter((f) => !f.startsWith(e2eDumpsDir));
  expect(storeFiles).toContain(e2eStoreFile);
  for (const file of storeFiles) expect(contains(file), file).toBe(false);
  const dumpFiles = filesUnder(e2eDumpsDir);
  expect(dumpFiles.some((f) => f.endsWith('manifest.json'))).toBe(true);
  for (const file of dumpFiles) expect(contains(file), file).toBe(false);

  // The key that seals the passwords: next to the store, readable by its owner only.
  expect(statSync(path.join(e2eStoreDir, 'secret.key')).mode & 0o777).toBe(0o600);
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';

// The /targets actions as Next calls them, minus the request (the session check is e2e/access.spec.ts's).
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
vi.mock('../auth/require-session.ts', () => ({ requireSession: async () => ({ userId: 'u', username: 'fuzz' }) }));
const { addTargetAction, deleteTargetAction } = await import('../../app/_actions/targets.ts');

const SECRET = 'Mk7-SECRET-marker-Zq';
const dir = mkdtempSync(path.join(tmpdir(), 'paradump-targets-fuzz-'));
const root = path.join(dir, 'dumps');

beforeAll(() => {
  process.env.PARADUMP_DATABASE_URL = `file:${path.join(dir, 'store.db')}`;
  process.env.PARADUMP_DUMP_ROOT = root;
  delete process.env.PARADUMP_TARGET_ROOTS;
  applyMigrations({ databasePath: path.join(dir, 'store.db'), migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  mkdirSync(root, { recursive: true });
});
afterAll(async () => {
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const s3 = { kind: 's3', location: 's3://bucket-x/p', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', accessKeyId: 'AKIA', secretAccessKey: SECRET };
const BAD: Record<string, string>[] = [
  {},
  { name: '', kind: 'local', location: 'x' },
  { name: 'x'.repeat(100_000), kind: 'local', location: 'x' },
  { name: 'k', kind: 'ftp', location: 'x' },
  { name: 'k', kind: 'local', location: '' },
  { name: 'k', kind: 'local', location: '../../etc' },
  { name: 'k', kind: 'local', location: '/etc/cron.d' },
  { name: 'k', kind: 'local', location: `a\0b` },
  { name: 'k', kind: 'local', location: 's3://bucket/x' },
  { name: 'k', kind: 's3', location: '/tmp/x' },
  { name: 'k', ...s3, location: 's3://Bad_Bucket/x' },
  { name: 'k', ...s3, location: 's3://bucket-x/../x' },
  { name: 'k', ...s3, endpoint: 'javascript:alert(1)' },
  { name: 'k', ...s3, endpoint: 'not a url' },
  { name: 'k', ...s3, accessKeyId: '' },
  { name: 'k', ...s3, secretAccessKey: '' },
  { name: 'k', ...s3 }, // nothing listens on port 1: STORAGE_UNREACHABLE
  { name: '\u202e\u0000🙂', ...s3 },
];

describe('the /targets actions with hostile input', () => {
  it('answer field errors or an error in the dashboard’s words, never throw, never send the secret back, write nothing outside the root, save nothing', async () => {
    for (const fields of BAD) {
      const answer = await addTargetAction({}, form(fields));
      expect(answer.ok, JSON.stringify(fields).slice(0, 200)).toBeUndefined();
      expect(Boolean(answer.fieldErrors) || Boolean(answer.error), JSON.stringify(fields).slice(0, 200)).toBe(true);
      expect(JSON.stringify(answer)).not.toContain(SECRET);
    }
    const unreachable = await addTargetAction({}, form({ name: 'k', ...s3 }));
    expect(unreachable.error?.code).toBe('STORAGE_UNREACHABLE');
    expect(await getPrisma().storageTarget.count()).toBe(0);
    expect(existsSync('/etc/cron.d/.paradump-probe')).toBe(false);
    expect(readdirSync(dir).filter((f) => f !== 'dumps' && f !== 'secret.key' && !f.startsWith('store.db'))).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
    for (const id of ['', 'nope', '../x', 'x'.repeat(5000)]) expect((await deleteTargetAction({}, form({ targetId: id }))).error?.code).toMatch(/^TARGET_NOT_FOUND$/);
  });

  it('saves a local target inside the root, and sends no secret back', async () => {
    const answer = await addTargetAction({}, form({ name: 'disk', kind: 'local', location: 'copies' }));
    expect(answer.saved).toEqual({ name: 'disk', location: path.join(root, 'copies') });
    expect(existsSync(path.join(root, 'copies'))).toBe(true);
    expect(readdirSync(path.join(root, 'copies'))).toEqual([]);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AttemptLimiter } from '../security/rate-limit.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { sealServerPassword } from './server-secret.ts';

// The server actions as Next calls them, minus the request: a session is assumed (the session check
// itself is covered by e2e/access.spec.ts) and redirect() throws a marker instead of navigating.
class Redirect extends Error {
  constructor(readonly to: string) {
    super(`redirect ${to}`);
  }
}
vi.mock('next/navigation', () => ({
  redirect: (to: string) => {
    throw new Redirect(to);
  },
}));
const limiter = new AttemptLimiter();
vi.mock('../auth/require-session.ts', () => ({
  requireSession: async () => ({ userId: 'u', username: 'fuzz' }),
  clientAddress: async () => '203.0.113.9',
  signInLimiter: () => limiter,
  setSessionCookie: async () => {},
  clearSessionCookie: async () => undefined,
}));

const { addServerAction, testConnectionAction } = await import('../../app/_actions/servers.ts');
const { cancelRunAction, resumeRunAction, startBackupAction, startRestoreAction } = await import('../../app/_actions/runs.ts');
const { signInAction } = await import('../../app/_actions/auth.ts');

const dir = mkdtempSync(path.join(tmpdir(), 'paradump-fuzz-'));
const root = path.join(dir, 'dumps');
const outside = path.join(dir, 'outside');
let serverId = '';

beforeAll(async () => {
  process.env.PARADUMP_DATABASE_URL = `file:${path.join(dir, 'store.db')}`;
  process.env.PARADUMP_DUMP_ROOT = root;
  delete process.env.PARADUMP_DUMPS_DIR;
  applyMigrations({ databasePath: path.join(dir, 'store.db'), migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  // A saved server nothing listens on: a dump that gets past validation fails to connect, in the background.
  serverId = 'srv_fuzz';
  await getPrisma().server.create({ data: { id: serverId, name: 'fuzz', host: '127.0.0.1', port: 1, user: 'root', passwordSealed: await sealServerPassword({ serverId, password: 'Mk7-SECRET-marker-Zq' }) } });
  mkdirSync(root, { recursive: true });
});
afterAll(async () => {
  await getPrisma().$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

// Deterministic: the same cases every run.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

const HOSTILE = ['', ' ', 'a'.repeat(100_000), 'x\0y', '\0', '..', '../..', '/etc/passwd', 'C:\\Windows', '`; DROP TABLE x; --', "'\"`", 'ünïcødé 数据库', '😀'.repeat(50), '\u202e', '%00', '${PATH}', '$(id)', 'a\nb', '<script>alert(1)</script>'];
const HOSTS = ['127.0.0.1', 'no-such-host.invalid', 'localhost?multipleStatements=true', 'h:3306/db?x=1', 'user@host', 'a b', 'host#frag', '[::1]', '::1', '-oProxyCommand=x', ...HOSTILE];
const PORTS = ['0', '-1', '65536', '99999999999999999999', 'abc', '1e3', '3306.5', '', ' 1 ', '0x50', 'NaN', 'Infinity', '1', ...HOSTILE];
const OUT_DIRS = ['../outside', '../../x', outside, path.join(outside, 'x'), '/etc', 'a/../../outside', 'ok/\0/x', '/', '.', 'inside/ok', 'ünï/数据', 'a'.repeat(5000), '..\\..\\x', '%2e%2e/x', ...HOSTILE];
const NAMES = ['db', 'db.t', '`db`.`t`', 'a.b.c', '../db', 'db/t', ...HOSTILE];
const LOCKS = ['snapshot', 'per-db', 'none', 'snapshot; DROP', 'SNAPSHOT', ...HOSTILE];
const IDS = [serverId, 'srv_missing', ...HOSTILE];

function form(fields: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}

/** A clean answer: field errors or an error in the dashboard's words, or a redirect; never a throw (a 500). */
async function expectClean(call: () => Promise<unknown>, label: string): Promise<'redirect' | 'state'> {
  try {
    const state = (await call()) as { fieldErrors?: object; error?: { code: string; title: string }; ok?: number; report?: object };
    expect(state, label).toBeTypeOf('object');
    expect(Boolean(state.fieldErrors || state.error || state.ok || state.report), `${label}: an answer`).toBe(true);
    if (state.error) expect(state.error.code, label).not.toBe('INTERNAL');
    expect(JSON.stringify(state), label).not.toContain('Mk7-SECRET-marker-Zq');
    return 'state';
  } catch (error) {
    if (error instanceof Redirect) return 'redirect';
    throw new Error(`${label} threw: ${String(error)}`);
  }
}

const short = (v: unknown) => JSON.stringify(v).slice(0, 160);

describe('hostile form input', () => {
  it('the server forms (add, test connection) answer every malformed input cleanly', async () => {
    let cases = 0;
    for (let i = 0; i < 120; i++) {
      const fields = { name: pick(HOSTILE.concat(['ok name'])), host: pick(HOSTS), port: pick(PORTS), user: pick(['root', ...HOSTILE]), password: pick(['', 'pw', ...HOSTILE]), lock: pick(LOCKS) };
      expect(await expectClean(() => addServerAction({}, form(fields)), `add ${short(fields)}`)).toBe('state');
      expect(await expectClean(() => testConnectionAction({}, form(fields)), `test ${short(fields)}`)).toBe('state');
      cases += 2;
    }
    // Injected URI options never reach a connection: the host field refuses them.
    const injected = await testConnectionAction({}, form({ host: 'localhost?multipleStatements=true', port: '3306', user: 'root', password: '' }));
    expect(injected.fieldErrors?.['host']).toBeDefined();
    const badPort = await testConnectionAction({}, form({ host: '127.0.0.1', port: '65536', user: 'root', password: '' }));
    expect(badPort.fieldErrors?.['port']).toEqual(['From 1 to 65535']);
    const refused = await testConnectionAction({}, form({ host: '127.0.0.1', port: '1', user: 'root', password: 'Mk7-SECRET-marker-Zq' }));
    expect(refused.report).toMatchObject({ ok: false, summary: expect.stringMatching(/refused/) });
    expect(cases).toBeGreaterThanOrEqual(240);
  });

  it('the backup and restore forms answer cleanly and never write outside the dump root', async () => {
    for (let i = 0; i < 160; i++) {
      const fields = {
        serverId: pick(IDS),
        databases: Array.from({ length: Math.floor(rand() * 3) }, () => pick(NAMES)),
        tables: Array.from({ length: Math.floor(rand() * 2) }, () => pick(NAMES)),
        threads: pick(['1', '0', '65', '-3', 'x', '', ...HOSTILE]),
        chunkRows: pick(['1000', '99', '1e20', 'x', '']),
        lock: pick(LOCKS),
        compress: pick(['zstd', 'gzip', 'none', 'lz4', ...HOSTILE]),
        outDir: pick(OUT_DIRS),
      };
      await expectClean(() => startBackupAction({}, form(fields)), `backup ${short(fields)}`);
      const restore = { sourceRunId: pick(IDS), targetServerId: pick(IDS), tables: [pick(NAMES)], threads: pick(['4', '0', 'x']), [`rename:${pick(NAMES)}`]: pick(NAMES) };
      await expectClean(() => startRestoreAction({}, form(restore)), `restore ${short(restore)}`);
      await expectClean(() => cancelRunAction({}, form({ runId: pick(IDS) })), 'cancel');
      await expectClean(() => resumeRunAction({}, form({ runId: pick(IDS) })), 'resume');
    }
    // Escapes are refused at the output field, in words.
    const escape = await startBackupAction({}, form({ serverId, databases: ['db'], outDir: '../outside' }));
    expect(escape.fieldErrors?.['outDir']?.[0]).toMatch(/must be inside/);
    const absolute = await startBackupAction({}, form({ serverId, databases: ['db'], outDir: '/etc/paradump' }));
    expect(absolute.fieldErrors?.['outDir']?.[0]).toMatch(/must be inside/);

    // Let background runs that got through fail, then look: nothing outside the root.
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(outside)).toBe(false);
    expect(existsSync('/etc/paradump')).toBe(false);
    const top = readdirSync(dir).filter((n) => !n.startsWith('store.db') && n !== 'secret.key');
    expect(top).toEqual(['dumps']);
  });

  it('sign-in answers malformed input cleanly', async () => {
    for (let i = 0; i < 30; i++) {
      const fields = { username: pick(['admin', ...HOSTILE]), password: pick(['x', ...HOSTILE]) };
      expect(await expectClean(() => signInAction({}, form(fields)), `signin ${short(fields)}`)).toBe('state');
    }
  });
});

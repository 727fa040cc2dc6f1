import { describe, expect, it } from 'vitest';
import { Manifest, manifestVersionFor } from './manifest.ts';

/** The smallest manifest of one table with one chunk, as version 1 wrote it (no format, no encodings). */
function versionOne(): Record<string, unknown> {
  const sha = 'a'.repeat(64);
  return {
    format: 'paradump',
    version: 1,
    tool: { name: 'paradump', version: '0.1.0' },
    startedAt: '2026-11-24T00:00:00Z',
    finishedAt: '2026-11-24T00:00:01Z',
    source: { flavor: 'mariadb', version: '10.11.19', host: '127.0.0.1', port: 3306 },
    options: { threads: 2, chunkRows: 10, statementBytes: 4096, compress: 'none', lock: 'snapshot', blockDdl: false, databases: ['d'], tables: [], excludeTables: [] },
    consistency: { mode: 'snapshot', consistent: true, consistentWithin: 'instance', note: 'one snapshot', binlog: null, gtid: null, snapshots: [] },
    resumedAt: [],
    locks: [],
    databases: [{ name: 'd', charset: 'utf8mb4', collation: 'utf8mb4_general_ci', schemaFile: 'schema/d/database.sql', objects: [] }],
    tables: [
      {
        database: 'd',
        table: 't',
        engine: 'InnoDB',
        transactional: true,
        schemaFile: 'schema/d/t.table.sql',
        columns: ['id', 'v'],
        chunkKey: ['id'],
        chunkKeyColumns: [{ name: 'id', encoding: 'number', charset: null }],
        chunkIndex: 'PRIMARY',
        rows: 1,
        bytes: 10,
        chunks: [{ index: 0, file: 'data/d/t.00000.sql', lower: null, upper: null, rows: 1, bytes: 10, sha256: sha, contentSha256: sha, snapshot: 0, durationMs: 1, worker: 0 }],
        skipped: null,
      },
    ],
    totals: { tables: 1, skippedTables: 0, chunks: 1, rows: 1, bytes: 10 },
    warnings: [],
  };
}

const asTsv = (m: Record<string, unknown>, withEncodings: boolean) => {
  const tables = (m.tables as Record<string, unknown>[]).map((t) => ({
    ...t,
    ...(withEncodings ? { columnEncodings: [{ name: 'id', encoding: 'number', charset: null }, { name: 'v', encoding: 'utf8', charset: 'utf8mb4' }] } : {}),
  }));
  return { ...m, version: 2, options: { ...(m.options as object), format: 'tsv' }, tables };
};

describe('Manifest', () => {
  it('reads a version-1 manifest as an sql dump', () => {
    const m = Manifest.parse(versionOne());
    expect(m.options.format).toBe('sql');
    expect(m.tables[0]!.columnEncodings).toBeUndefined();
  });

  it('writes sql dumps as version 1 (older readers restore them) and tsv dumps as version 2', () => {
    expect(manifestVersionFor('sql')).toBe(1);
    expect(manifestVersionFor('tsv')).toBe(2);
  });

  it('requires version 2 and every column encoding of a tsv dump', () => {
    expect(Manifest.parse(asTsv(versionOne(), true)).options.format).toBe('tsv');
    const v1 = Manifest.safeParse({ ...asTsv(versionOne(), true), version: 1 });
    expect(v1.success ? null : v1.error.issues[0]).toMatchObject({ path: ['version'], message: 'a tsv dump must be version 2' });
    const bare = Manifest.safeParse(asTsv(versionOne(), false));
    expect(bare.success ? null : bare.error.issues[0]).toMatchObject({ path: ['tables', 0, 'columnEncodings'] });
    const shifted = asTsv(versionOne(), true);
    (shifted.tables[0] as { columnEncodings: { name: string }[] }).columnEncodings.reverse();
    expect(Manifest.safeParse(shifted).success).toBe(false);
  });

  it('reads a version-3 manifest with accounts, and requires version 3 for them', () => {
    const accounts = { file: 'accounts/accounts.json', sha256: 'b'.repeat(64), bytes: 10, list: [{ user: 'app', host: '%', isRole: false, grants: 2, defaultRoles: [] }], excluded: ['root@localhost'] };
    expect(manifestVersionFor('sql', true)).toBe(3);
    expect(Manifest.parse({ ...versionOne(), version: 3, accounts }).accounts?.list[0]?.user).toBe('app');
    const v1 = Manifest.safeParse({ ...versionOne(), accounts });
    expect(v1.success ? null : v1.error.issues[0]).toMatchObject({ path: ['version'], message: 'a dump with accounts must be version 3' });
    expect(Manifest.parse(versionOne()).options.users).toBe(false);
  });

  it('reads a version-4 encrypted manifest, and requires version 4 and every data file marked', () => {
    const encryption = { algorithm: 'aes-256-gcm', keyId: '0123456789abcdef', segmentBytes: 65536 };
    const encrypted = (m: Record<string, unknown>) => ({ ...m, encryption, tables: (m.tables as { chunks: object[] }[]).map((t) => ({ ...t, chunks: t.chunks.map((c) => ({ ...c, encrypted: true })) })) });
    expect(manifestVersionFor('sql', false, true)).toBe(4);
    expect(manifestVersionFor('tsv', true, false)).toBe(3);
    expect(manifestVersionFor('sql', false, true, true)).toBe(5);
    expect(Manifest.parse({ ...encrypted(versionOne()), version: 4 }).encryption?.keyId).toBe('0123456789abcdef');
    const v3 = Manifest.safeParse({ ...encrypted(versionOne()), version: 3 });
    expect(v3.success ? null : v3.error.issues[0]).toMatchObject({ path: ['version'], message: 'an encrypted dump must be version 4' });
    const unmarked = Manifest.safeParse({ ...versionOne(), version: 4, encryption });
    expect(unmarked.success ? null : unmarked.error.issues[0]?.path).toEqual(['tables', 0, 'chunks', 0, 'encrypted']);
    // Strict: nothing but the key's id can ride along in the record.
    expect(Manifest.safeParse({ ...encrypted(versionOne()), version: 4, encryption: { ...encryption, key: 'x'.repeat(64) } }).success).toBe(false);
  });

  it('reads version 5 with xxh3-128 content hashes (sha256 ones kept from a resumed older run), and requires version 5 for them', () => {
    const withChunks = (version: number, chunks: Record<string, unknown>[]) => {
      const m = versionOne();
      const [t] = m.tables as Record<string, unknown>[];
      const base = (t!.chunks as Record<string, unknown>[])[0]!;
      return { ...m, version, tables: [{ ...t, chunks: chunks.map((c, i) => ({ ...base, index: i, ...c })) }] };
    };
    const xxh = { contentSha256: undefined, contentXxh3: 'c'.repeat(32) };
    const m = Manifest.parse(withChunks(5, [xxh, {}]));
    expect(m.tables[0]!.chunks.map((c) => [c.contentXxh3 ?? null, c.contentSha256 ?? null])).toEqual([['c'.repeat(32), null], [null, 'a'.repeat(64)]]);
    const old = Manifest.safeParse(withChunks(3, [xxh]));
    expect(old.success ? null : old.error.issues[0]).toMatchObject({ path: ['version'], message: 'a dump with xxh3-128 content hashes must be version 5' });
    const none = Manifest.safeParse(withChunks(5, [{ contentSha256: undefined }]));
    expect(none.success ? null : none.error.issues[0]).toMatchObject({ message: 'a chunk needs its content hash' });
    expect(Manifest.safeParse(withChunks(5, [{ contentSha256: undefined, contentXxh3: 'c'.repeat(64) }])).success).toBe(false);
  });

  it('refuses versions it does not know', () => {
    expect(Manifest.safeParse({ ...versionOne(), version: 6 }).success).toBe(false);
  });
});

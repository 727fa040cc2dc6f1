import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, quoteIdent, uniqueName, type Connection } from '../../test/harness/db.ts';
import { connectionLost, Session } from './session.ts';
import { type RawRow } from '../core/row-batch.ts';
import type { RowBatch } from '../core/row-batch.ts';
import { parseServerUri } from './uri.ts';

const uri = inject('mariadbUri');

/** Splits a batch back into rows of raw values (the decoding RowEncoder does, kept simple). */
function rowsOf(batch: RowBatch, columns: number): RawRow[] {
  const d = batch.data;
  const rows: RawRow[] = [];
  let p = 0;
  while (p < d.length) {
    let payload = d.readUIntLE(p, 3);
    p += 4;
    if (payload === 0xffffff) {
      payload = d.readUInt32LE(p) + d.readUInt32LE(p + 4) * 2 ** 32;
      p += 8;
    }
    const end = p + payload;
    const row: RawRow = [];
    for (let i = 0; i < columns; i++) {
      let len = d[p++]!;
      if (len === 0xfb) {
        row.push(null);
        continue;
      }
      if (len === 0xfc) {
        len = d.readUInt16LE(p);
        p += 2;
      } else if (len === 0xfd) {
        len = d.readUIntLE(p, 3);
        p += 3;
      } else if (len === 0xfe) {
        len = d.readUInt32LE(p) + d.readUInt32LE(p + 4) * 2 ** 32;
        p += 8;
      }
      row.push(Buffer.from(d.subarray(p, p + len)));
      p += len;
    }
    expect(p).toBe(end);
    rows.push(row);
  }
  expect(rows.length).toBe(batch.rows);
  return rows;
}

/** Whether two rows differ: Buffer.equals, not toEqual, which would walk the 16 MB values key by key. */
const differ = (a: RawRow, b: RawRow) => a.length !== b.length || a.some((v, j) => (v === null ? b[j] !== null : !b[j] || !v.equals(b[j]!)));

describe('Session.streamRaw', () => {
  const db = uniqueName('sr');
  let c: Connection;
  let session: Session;

  beforeAll(async () => {
    c = await connect(uri);
    await c.query(`CREATE DATABASE ${quoteIdent(db)}`);
    await c.query(`CREATE TABLE ${quoteIdent(db)}.t (id INT PRIMARY KEY, v LONGBLOB NULL, s VARCHAR(300) NULL)`);
    // Small rows (many per socket read, some split across reads), NULLs, one row over 16 MB (sent as
    // several packets and reassembled by the driver) and one just under.
    const rows: [number, Buffer | null, string | null][] = [];
    for (let i = 1; i <= 3000; i++) rows.push([i, i % 7 === 0 ? null : randomBytes(i % 300), i % 5 === 0 ? null : `row ${i} ' \\ \n`]);
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      await c.query(`INSERT INTO ${quoteIdent(db)}.t VALUES ${part.map(() => '(?,?,?)').join(',')}`, part.flat());
    }
    // Built on the server: the statement itself stays under max_allowed_packet.
    await c.query(`INSERT INTO ${quoteIdent(db)}.t VALUES (5000, LEFT(REPEAT(RANDOM_BYTES(1000), 16800), ${(1 << 24) + 1000}), 'big')`);
    await c.query(`INSERT INTO ${quoteIdent(db)}.t VALUES (5001, LEFT(REPEAT(RANDOM_BYTES(999), 16800), ${(1 << 24) - 100}), 'almost')`);
    session = await Session.open(parseServerUri(uri));
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await c?.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
    await c?.end();
  });

  it('yields every row byte for byte as the driver decodes it, in batches of whole rows', async () => {
    const sql = `SELECT id, v, s FROM ${quoteIdent(db)}.t ORDER BY id`;
    // Kept while the rows stream: had mysql2 been given the reused read buffer, these would change.
    const expected = await session.queryRaw(sql);
    const socket = (session.connection as unknown as { stream: { lendReads?: boolean } }).stream;
    expect(socket.lendReads).not.toBe(true);
    const { stream, fields } = session.streamRaw(sql);
    // The reads are lent to the row reader only while it takes them.
    expect(socket.lendReads).toBe(true);
    const got: RawRow[] = [];
    let batches = 0;
    for await (const batch of stream as AsyncIterable<RowBatch>) {
      batches++;
      got.push(...rowsOf(batch, 3));
    }
    expect((await fields).map((f) => f.name)).toEqual(['id', 'v', 's']);
    expect(batches).toBeGreaterThan(2);
    expect(got.length).toBe(expected.length);
    const mismatches = expected.flatMap((row, i) => (differ(row, got[i]!) ? [i] : []));
    expect(mismatches).toEqual([]);
    expect(got.at(-2)?.[1]?.length).toBe((1 << 24) + 1000);
    expect(socket.lendReads).toBe(false);
    // The connection is usable afterwards.
    expect((await session.queryRaw('SELECT 1'))[0]).toEqual([Buffer.from('1')]);
  }, 120_000);

  /** Re-delivers every socket read of `s` as pieces of 1..maxPiece bytes (seeded), as a slow network would. */
  function cutReads(s: Session, maxPiece: number, seed: number): () => void {
    const socket = (s.connection as unknown as { stream: NodeJS.EventEmitter }).stream;
    const listeners = socket.listeners('data') as ((chunk: Buffer) => void)[];
    socket.removeAllListeners('data');
    let x = seed;
    const cut = (chunk: Buffer) => {
      for (let p = 0; p < chunk.length; ) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (x % maxPiece);
        const piece = chunk.subarray(p, p + n);
        for (const l of listeners) l.call(socket, piece);
        p += n;
      }
    };
    socket.on('data', cut);
    return () => {
      socket.off('data', cut);
      for (const l of listeners) socket.on('data', l);
    };
  }

  /** The rows of `sql` through streamRaw, and whether the socket's reads were taken over while they came. */
  async function streamAll(s: Session, sql: string): Promise<{ rows: RawRow[]; tookOver: boolean }> {
    const driver = s.connection as unknown as { packetParser: object };
    const own = driver.packetParser;
    // Every swap of the connection's parser is seen, however fast the rows come.
    let current = own;
    let tookOver = false;
    Object.defineProperty(driver, 'packetParser', {
      configurable: true,
      get: () => current,
      set: (p: object) => {
        tookOver ||= p !== own;
        current = p;
      },
    });
    // mysql2 warns (and carries on) when a packet's sequence number is not the one it expects.
    const warnings: unknown[] = [];
    const onWarn = (w: unknown) => warnings.push(w);
    s.connection.on('warn', onWarn);
    try {
      const { stream } = s.streamRaw(sql);
      const rows: RawRow[] = [];
      for await (const batch of stream as AsyncIterable<RowBatch>) rows.push(...rowsOf(batch, 3));
      expect(current).toBe(own);
      expect(warnings).toEqual([]);
      return { rows, tookOver };
    } finally {
      s.connection.off('warn', onWarn);
      Object.defineProperty(driver, 'packetParser', { configurable: true, writable: true, value: current });
    }
  }

  it('yields the same rows when the socket delivers them in pieces of any size', async () => {
    const cutSession = await Session.open(parseServerUri(uri));
    try {
      // Pieces of 1 byte upward: every header and every row cut at every place.
      for (const [maxPiece, sql] of [
        [3, `SELECT id, v, s FROM ${quoteIdent(db)}.t WHERE id < 1000 ORDER BY id`],
        [40, `SELECT id, v, s FROM ${quoteIdent(db)}.t WHERE id < 5000 ORDER BY id`],
        [2000, `SELECT id, v, s FROM ${quoteIdent(db)}.t WHERE id < 5000 ORDER BY id`],
        // The two values near 16 MB: one sent as several packets, which the driver reassembles.
        [300_000, `SELECT id, v, s FROM ${quoteIdent(db)}.t ORDER BY id`],
      ] as const) {
        const expected = await session.queryRaw(sql);
        const restore = cutReads(cutSession, maxPiece, maxPiece);
        try {
          const { rows, tookOver } = await streamAll(cutSession, sql);
          expect(tookOver).toBe(true);
          expect(rows.length).toBe(expected.length);
          expect(expected.flatMap((r, i) => (differ(r, rows[i]!) ? [i] : []))).toEqual([]);
          expect((await cutSession.queryRaw('SELECT 3'))[0]).toEqual([Buffer.from('3')]);
        } finally {
          restore();
        }
      }
    } finally {
      await cutSession.close();
    }
  }, 120_000);

  it('reports an error the server sends after some rows, and leaves the connection usable', async () => {
    // The subquery fails only at row 2000, after the first rows are on their way.
    const sql = `SELECT id, v, IF(id = 2000, (SELECT 1 UNION SELECT 2), s) FROM ${quoteIdent(db)}.t WHERE id < 5000 ORDER BY id`;
    for (const maxPiece of [0, 7]) {
      const restore = maxPiece ? cutReads(session, maxPiece, 11) : () => undefined;
      try {
        const { stream } = session.streamRaw(sql);
        let got = 0;
        await expect(
          (async () => {
            for await (const batch of stream as AsyncIterable<RowBatch>) got += batch.rows;
          })(),
        ).rejects.toThrow(/more than 1 row/);
        expect(got).toBeLessThan(2000);
        expect((await session.queryRaw('SELECT 4'))[0]).toEqual([Buffer.from('4')]);
      } finally {
        restore();
      }
    }
  });

  it('reports a failing query as a stream error and leaves the connection usable', async () => {
    const { stream } = session.streamRaw(`SELECT nope FROM ${quoteIdent(db)}.t`);
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toThrow(/nope/);
    expect((await session.queryRaw('SELECT 2'))[0]).toEqual([Buffer.from('2')]);
  });

  it('fails at once, not never, on a connection whose server went away while it was idle', async () => {
    // mysql2 answers a statement on a connection closed while idle with silence: the dump of a
    // server killed between two chunks waited forever for the next chunk's rows.
    const idle = await Session.open(parseServerUri(uri));
    try {
      // The socket closes with no error packet first, as when the server is killed with SIGKILL (a
      // KILL statement sends one, which mysql2 does handle).
      const noticed = once(idle.connection, 'error');
      (idle.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
      // mysql2 has seen the close (its 'error' with no statement running): the state that hung.
      await noticed;
      expect(connectionLost(idle.connection)).not.toBeNull();
      const { stream } = idle.streamRaw(`SELECT id FROM ${quoteIdent(db)}.t`);
      await expect(
        (async () => {
          for await (const _ of stream) void _;
        })(),
      ).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
      await expect(idle.query('SELECT 1')).rejects.toMatchObject({ code: 'PROTOCOL_CONNECTION_LOST' });
    } finally {
      idle.destroy();
    }
  });
});

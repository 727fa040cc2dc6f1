import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseServerUri } from '../../lib/mysql/uri.ts';
import { loadNames, loadNamesOfDatabase } from '../../lib/restore/load-names.ts';
import { TargetConnection } from '../../lib/restore/target-connection.ts';
import { createTestDatabase, runSqlFile, type TestDatabase } from '../harness/db.ts';

const uri = inject('mariadbUri');

describe('the connection charset data files load under', () => {
  it('is binary only when every column reads a binary literal as it reads utf8mb4 text', () => {
    const sbtest = [
      { dataType: 'int', charset: null },
      { dataType: 'int', charset: null },
      { dataType: 'char', charset: 'utf8mb4' },
      { dataType: 'char', charset: 'latin1' },
    ];
    expect(loadNames(sbtest)).toBe('binary');
    expect(loadNames([{ dataType: 'DATETIME', charset: null }, { dataType: 'enum', charset: 'utf8mb4' }, { dataType: 'longblob', charset: null }, { dataType: 'point', charset: null }])).toBe('binary');
    // The types that give a binary string its own meaning, and anything unknown.
    for (const dataType of ['inet6', 'inet4', 'uuid', 'json', 'vector', 'some_plugin_type']) {
      expect(loadNames([...sbtest, { dataType, charset: null }]), dataType).toBe('utf8mb4');
    }
    // A text type without a charset is not text as we know it.
    expect(loadNames([{ dataType: 'varchar', charset: null }])).toBe('utf8mb4');
    expect(loadNames([])).toBe('utf8mb4');
  });

  describe('on a server', () => {
    let db: TestDatabase;
    let conn: TargetConnection;
    beforeAll(async () => {
      db = await createTestDatabase(uri, 'ln');
      await runSqlFile(uri, db.name, path.resolve('test/fixtures/every-type.sql'));
      conn = await TargetConnection.open(parseServerUri(uri));
    });
    afterAll(async () => {
      await conn?.close();
      await db?.drop();
    });

    it('decides per table from the target’s columns', async () => {
      const names = await loadNamesOfDatabase(conn, db.name);
      expect(names.get('t_str')).toBe('binary'); // utf8mb4, latin1, sjis, cp1251, ascii text
      expect(names.get('t_int')).toBe('binary');
      expect(names.get('t_string_pk')).toBe('binary');
      expect(names.get('t_misc')).toBe('utf8mb4'); // INET4 / INET6 / UUID
    });

    it('keeps INET6 out for a reason: a binary 16-character text is read as the packed address', async () => {
      await conn.use(db.name);
      await conn.exec('CREATE TABLE ip (id INT PRIMARY KEY, a INET6)');
      const insert = Buffer.from("INSERT INTO ip VALUES (1, '1111:2222:3333::')");
      await conn.setNames('utf8mb4');
      await conn.execBytes(insert);
      await conn.setNames('binary');
      await conn.execBytes(Buffer.from("INSERT INTO ip VALUES (2, '1111:2222:3333::')"));
      const rows = await conn.query<{ id: number; a: string }>('SELECT id, CAST(a AS CHAR) AS a FROM ip ORDER BY id');
      expect(rows[0]?.a).toBe('1111:2222:3333::');
      expect(rows[1]?.a).not.toBe('1111:2222:3333::');
    });

    it('switches back to utf8mb4 for the engine’s own statements, so a range compares by collation', async () => {
      await conn.use(db.name);
      await conn.setNames('binary');
      // Under binary names 'APPLE' would compare byte-wise and find nothing.
      const [row] = await conn.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM t_string_pk WHERE name = 'APPLE'");
      expect(Number(row?.n)).toBe(1);
      const [names] = await conn.query<{ cs: string }>('SELECT @@character_set_client AS cs');
      expect(names?.cs).toBe('utf8mb4');
    });
  });
});

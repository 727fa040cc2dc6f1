import { describe, expect, it } from 'vitest';
import { addIndexesSql, deferSecondaryIndexes, disableEvent, indexName, parseObjectFile, parseSequenceFile, parseTableSchema } from './schema-sql.ts';

const create = (...items: string[]) => `CREATE TABLE \`t\` (\n  ${items.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='a, (b) ''c'''`;

describe('deferSecondaryIndexes', () => {
  it('defers the trailing plain KEYs and keeps PRIMARY, UNIQUE, FULLTEXT', () => {
    const sql = create('`id` int(11) NOT NULL', "`a` varchar(10) DEFAULT 'x,(y)'", '`b` int(11)', 'PRIMARY KEY (`id`)', 'UNIQUE KEY `u` (`a`)', 'KEY `k1` (`a`)', "KEY `k ``2` (`b`,`a`(3)) COMMENT 'p, q'", 'FULLTEXT KEY `ft` (`a`)');
    const r = deferSecondaryIndexes(sql);
    expect(r.deferred).toEqual(['KEY `k1` (`a`)', "KEY `k ``2` (`b`,`a`(3)) COMMENT 'p, q'"]);
    expect(r.create).toContain('UNIQUE KEY `u` (`a`)');
    expect(r.create).toContain('FULLTEXT KEY `ft` (`a`)');
    expect(r.create).not.toContain('`k1`');
    expect(r.create).toMatch(/\) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='a, \(b\) ''c'''$/);
    expect(addIndexesSql('t', r.deferred)).toBe("ALTER TABLE `t` ADD KEY `k1` (`a`), ADD KEY `k ``2` (`b`,`a`(3)) COMMENT 'p, q'");
    expect(r.deferred.map(indexName)).toEqual(['k1', 'k `2']);
  });

  it('keeps an index that serves a foreign key, and everything before it', () => {
    const fk = 'CONSTRAINT `fk_p` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE CASCADE';
    expect(deferSecondaryIndexes(create('`p` int', '`x` int', 'KEY `fk_p` (`p`)', 'KEY `kx` (`x`)', fk)).deferred).toEqual(['KEY `kx` (`x`)']);
    expect(deferSecondaryIndexes(create('`p` int', '`x` int', 'KEY `kx` (`x`)', 'KEY `fk_p` (`p`,`x`)', fk)).deferred).toEqual([]);
  });

  it('defers nothing when a SPATIAL index ends the list, or there are no plain keys', () => {
    expect(deferSecondaryIndexes(create('`g` point NOT NULL', '`x` int', 'KEY `kx` (`x`)', 'SPATIAL KEY `sg` (`g`)')).deferred).toEqual([]);
    const plain = create('`id` int', 'PRIMARY KEY (`id`)');
    expect(deferSecondaryIndexes(plain)).toEqual({ create: plain, deferred: [] });
  });
});

describe('dump file parsing', () => {
  it('reads an object file: header SETs, then the definition exactly, whatever it contains', () => {
    const def = "CREATE DEFINER=`root`@`%` PROCEDURE `p`()\nBEGIN\n  SELECT ';;\nDELIMITER ;\n' INTO @x;\nEND";
    const file = Buffer.from(`-- paradump: procedure\nSET NAMES utf8mb4 COLLATE utf8mb4_general_ci;\nSET SESSION sql_mode = 'PIPES_AS_CONCAT,STRICT_TRANS_TABLES';\nSET SESSION time_zone = '+02:00';\nDELIMITER ;;\n${def}\n;;\nDELIMITER ;\nSET NAMES utf8mb4;\n`);
    const r = parseObjectFile('f.sql', file);
    expect(r.setup).toEqual(['SET NAMES utf8mb4 COLLATE utf8mb4_general_ci', "SET SESSION sql_mode = 'PIPES_AS_CONCAT,STRICT_TRANS_TABLES'", "SET SESSION time_zone = '+02:00'"]);
    expect(r.definition.toString('utf8')).toBe(def);
  });

  it('refuses statements the dump never writes', () => {
    expect(() => parseObjectFile('f.sql', Buffer.from('DROP DATABASE x;\nDELIMITER ;;\nCREATE VIEW v AS SELECT 1\n;;\nDELIMITER ;\n'))).toThrow(/unexpected statement before the definition/);
    expect(() => parseObjectFile('f.sql', Buffer.from('SET NAMES utf8mb4;\nDELIMITER ;;\nDROP TABLE t\n;;\nDELIMITER ;\n'))).toThrow(/does not start with CREATE/);
    expect(() => parseTableSchema('t.sql', Buffer.from("SET NAMES utf8mb4;\nCREATE TABLE `t` (a int);\nDROP DATABASE mysql;\n"), 't')).toThrow(/unexpected statement for table `t`: DROP DATABASE/);
    expect(() => parseTableSchema('t.sql', Buffer.from('SET NAMES utf8mb4;\nCREATE TABLE `other` (a int);\n'), 't')).toThrow(/unexpected statement/);
    expect(() => parseSequenceFile('s.sql', Buffer.from('CREATE SEQUENCE `s` start with 1;\nDO SLEEP(100);\n'), 's')).toThrow(/unexpected statement for sequence/);
  });

  it('reads a table schema file', () => {
    const r = parseTableSchema('t.sql', Buffer.from("-- paradump: table\nSET NAMES utf8mb4;\nSET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', foreign_key_checks = 0;\nCREATE TABLE `t;x` (\n  `a` int DEFAULT ';'\n);\n"), 't;x');
    expect(r.setup).toHaveLength(2);
    expect(r.create).toBe("CREATE TABLE `t;x` (\n  `a` int DEFAULT ';'\n)");
  });
});

describe('disableEvent', () => {
  const disabled = (sql: string) => {
    const r = disableEvent('e.sql', Buffer.from(sql));
    return [r.definition.toString('utf8'), r.wasEnabled];
  };

  it('turns the status clause SHOW CREATE EVENT printed into DISABLE, every other byte kept', () => {
    // As MariaDB 10.11 prints them (the definer, name, STARTS and COMMENT quoted).
    const head = "CREATE DEFINER=`root`@`127.0.0.1` EVENT `e1` ON SCHEDULE EVERY 1 SECOND STARTS '2026-12-07 16:46:15' ON COMPLETION NOT PRESERVE";
    expect(disabled(`${head} ENABLE DO INSERT INTO other.t VALUES ('ENABLE')`)).toEqual([`${head} DISABLE DO INSERT INTO other.t VALUES ('ENABLE')`, true]);
    expect(disabled(`${head} DISABLE ON SLAVE DO SELECT 1`)).toEqual([`${head} DISABLE ON SLAVE DO SELECT 1`, false]);
    expect(disabled(`${head} DISABLE COMMENT 'x' DO SELECT 1`)).toEqual([`${head} DISABLE COMMENT 'x' DO SELECT 1`, false]);
  });

  it('is not fooled by ENABLE or DO inside names, strings, comments or the body', () => {
    const sql = "CREATE DEFINER=`ENABLE`@`DO` EVENT `e``2 ENABLE DO` ON SCHEDULE AT '2030-01-01 00:00:00' ON COMPLETION PRESERVE ENABLE COMMENT 'DO ENABLE \\' DO ''' DO BEGIN SELECT 'ENABLE DO'; END";
    expect(disabled(sql)).toEqual([sql.replace('PRESERVE ENABLE COMMENT', 'PRESERVE DISABLE COMMENT'), true]);
    // The body's own DISABLE is not the event's status.
    expect(disabled('CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DO ALTER EVENT `other` DISABLE')).toEqual(['CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DISABLE DO ALTER EVENT `other` DISABLE', true]);
  });

  it('adds DISABLE before COMMENT or DO when the definition has no status (the server default is ENABLE)', () => {
    expect(disabled("CREATE EVENT `e` ON SCHEDULE EVERY 1 HOUR COMMENT 'c' DO SELECT 1")).toEqual(["CREATE EVENT `e` ON SCHEDULE EVERY 1 HOUR DISABLE COMMENT 'c' DO SELECT 1", true]);
    expect(disabled('CREATE EVENT /* DO */ `e` ON SCHEDULE EVERY 1 HOUR\nDO SELECT 1')).toEqual(['CREATE EVENT /* DO */ `e` ON SCHEDULE EVERY 1 HOUR\nDISABLE DO SELECT 1', true]);
  });

  it('keeps UTF-8 bytes of names and bodies exact', () => {
    const sql = "CREATE EVENT `événement` ON SCHEDULE EVERY 1 DAY ENABLE COMMENT 'ça' DO INSERT INTO t VALUES ('日本')";
    const r = disableEvent('e.sql', Buffer.from(sql, 'utf8'));
    expect(r.definition.equals(Buffer.from(sql.replace('DAY ENABLE', 'DAY DISABLE'), 'utf8'))).toBe(true);
  });

  it('refuses what it cannot read as an event definition, rather than create it enabled', () => {
    expect(() => disableEvent('v.sql', Buffer.from('CREATE VIEW `v` AS SELECT 1'))).toThrow(/not an event definition/);
    expect(() => disableEvent('e.sql', Buffer.from("CREATE EVENT `e` ON SCHEDULE AT 'unterminated DO SELECT 1"))).toThrow(/not an event definition/);
  });
});

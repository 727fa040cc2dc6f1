import { readFileSync } from 'node:fs';
import mysql from 'mysql2';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canTakeOver, type DriverConnection } from './mysql2-internals.ts';

// The raw row reader (mysql2-internals.ts, row-packet-scanner.ts) and session.ts reach into
// mysql2's private state (the packet parser, the sequence id, the fatal-error fields, addCommand).
// package.json pins mysql2 to one exact version; this fails loudly when an upgrade changes what
// those modules rely on, instead of the fast reader silently falling back to the driver's path (or
// worse).
const PINNED = '3.24.6';

describe('mysql2 internals the raw reader relies on', () => {
  let connection: mysql.Connection;
  beforeAll(async () => {
    connection = mysql.createConnection({ uri: inject('mariadbUri') });
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  });
  afterAll(() => connection.destroy());

  it('is the pinned version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(readFileSync(new URL('../../node_modules/mysql2/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(pkg.dependencies.mysql2).toBe(PINNED);
    expect(installed.version).toBe(PINNED);
  });

  it('exposes the parser state the fast path takes over', () => {
    const driver = connection as unknown as DriverConnection;
    expect(canTakeOver(driver)).toBe(true);
    expect(typeof driver.packetParser.execute).toBe('function');
    expect(driver.stream).toBeDefined();
  });

  it('exposes the fields and the command queue connectionLost and failFast use', () => {
    const c = connection as unknown as Record<string, unknown>;
    expect(c).toHaveProperty('_fatalError', null);
    expect(c).toHaveProperty('_protocolError', null);
    expect(typeof c.addCommand).toBe('function');
  });

  it('gives a query the row state and command chain the reader hooks', async () => {
    const query = connection.query({ sql: 'SELECT 1', rowsAsArray: true, typeCast: false }) as unknown as Record<string, unknown> & NodeJS.EventEmitter;
    expect(typeof query.next).toBe('function');
    expect(typeof query.row).toBe('function');
    await new Promise((resolve, reject) => query.once('end', resolve).once('error', reject));
  });
});

import { describe, expect, it } from 'vitest';
import { parseServerUri, redactUri } from './uri.ts';

describe('parseServerUri', () => {
  it('parses user, password, host and port, decoding escapes', () => {
    expect(parseServerUri('mysql://bk:p%40ss%3Aw@db.example.com:3307')).toEqual({ host: 'db.example.com', port: 3307, user: 'bk', password: 'p@ss:w', tls: { mode: 'off' } });
    expect(parseServerUri('mysql://root@127.0.0.1')).toMatchObject({ port: 3306, password: '' });
    expect(parseServerUri('mysql://root@[::1]:3306?ssl=true')).toMatchObject({ host: '::1', tls: { mode: 'required' } });
    expect(parseServerUri('mysql://root@localhost?socket=/run/mysqld/mysqld.sock')).toMatchObject({ socketPath: '/run/mysqld/mysqld.sock' });
  });
  it.each([
    ['http://root@h:1', /unsupported URI scheme/],
    ['mysql://root@h:0', /invalid port/],
    ['mysql://root@h:70000', /invalid port/],
    ['mysql://root@h:12ab', /invalid port/],
    ['mysql://h:3306', /no user name/],
    ['mysql://root@h:3306/shop', /names a server, not a database/],
    ['mysql://root@h:3306?multipleStatements=true', /unknown URI option "multipleStatements"/],
    ['mysql://root@h:3306?ssl=maybe', /ssl must be true or false/],
    ['mysql://root@h:3306#x', /fragment/],
    ['not a uri', /not a valid server URI/],
  ])('refuses %s', (uri, message) => {
    expect(() => parseServerUri(uri)).toThrow(message);
  });
  it('redacts the password', () => {
    expect(redactUri(parseServerUri('mysql://bk:secret@h:3307'))).toBe('mysql://bk@h:3307');
  });
});

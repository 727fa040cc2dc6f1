import { ParadumpError } from '../core/errors.ts';
import type { ConnectionTls } from './tls.ts';

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Unix socket path, from `?socket=` — takes precedence over host/port. */
  socketPath?: string;
  /**
   * TLS for the connection. From a URI: `?ssl=true` is `required`; certificates and the verify modes
   * come only as an option (`withTls`), never in the URI.
   */
  tls: ConnectionTls;
}

const ALLOWED_PARAMS = new Set(['socket', 'ssl']);

/**
 * Parse `mysql://user:pass@host:port[?socket=/path&ssl=true]`. Anything else — paths, unknown query
 * options, bad ports — is refused by name, so an option can never be smuggled into the driver.
 */
export function parseServerUri(uri: string): ServerAddress {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    const port = /^[a-z]+:\/\/[^/?#]*:([^/?#:@\]]*)(?:[/?#]|$)/i.exec(uri)?.[1];
    if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new ParadumpError('BAD_URI', `invalid port "${port}" (1–65535)`);
    if (port !== undefined && Number(port) > 65535) throw new ParadumpError('BAD_URI', `invalid port "${port}" (1–65535)`);
    throw new ParadumpError('BAD_URI', `not a valid server URI: expected mysql://user:password@host:port`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ParadumpError('BAD_URI', `unsupported URI scheme "${url.protocol}": use mysql://user:password@host:port`);
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new ParadumpError('BAD_URI', `the URI names a server, not a database: drop "${decodeURIComponent(url.pathname)}" and use --databases`);
  }
  if (url.hash) throw new ParadumpError('BAD_URI', 'the URI must not contain a fragment (#)');
  for (const key of url.searchParams.keys()) {
    if (!ALLOWED_PARAMS.has(key)) throw new ParadumpError('BAD_URI', `unknown URI option "${key}" (allowed: socket, ssl)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new ParadumpError('BAD_URI', 'the URI has no host');
  if (!/^[A-Za-z0-9.\-:_]+$/.test(host)) throw new ParadumpError('BAD_URI', `invalid host "${host}"`);
  const port = url.port === '' ? 3306 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ParadumpError('BAD_URI', `invalid port "${url.port}" (1–65535)`);
  const user = decodeURIComponent(url.username);
  if (!user) throw new ParadumpError('BAD_URI', 'the URI has no user name (mysql://USER@host)');
  const socket = url.searchParams.get('socket');
  const ssl = url.searchParams.get('ssl');
  if (ssl !== null && ssl !== 'true' && ssl !== 'false') throw new ParadumpError('BAD_URI', 'URI option ssl must be true or false');
  return {
    host,
    port,
    user,
    password: decodeURIComponent(url.password),
    ...(socket ? { socketPath: socket } : {}),
    tls: { mode: ssl === 'true' ? 'required' : 'off' },
  };
}

/**
 * The address with the TLS option of a dump, restore or verify. Without one, the URI's `?ssl=true`
 * stands; with one, it wins, except that `?ssl=true` is never quietly turned into `off`.
 */
export function withTls(address: ServerAddress, tls: ConnectionTls | undefined): ServerAddress {
  if (!tls) return address;
  if (tls.mode === 'off' && address.tls.mode !== 'off') {
    throw new ParadumpError('BAD_OPTION', 'the URI asks for TLS (?ssl=true) but the TLS mode is off: drop one of them');
  }
  return { ...address, tls };
}

/** The URI without its password, for logs, manifests and the UI. */
export function redactUri(address: ServerAddress): string {
  return `mysql://${encodeURIComponent(address.user)}@${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

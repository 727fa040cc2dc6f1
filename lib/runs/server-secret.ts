import path from 'node:path';
import { decryptSecret, encryptSecret, loadSecretKey } from '../security/secret-box.ts';
import { resolveDatabasePath } from '../store/database-path.ts';
import { storeProvider } from '../store/database-url.ts';
import { getPrisma } from '../store/prisma.ts';

// One key per process, on globalThis so dev reloads don't read the key file again.
// Keyed by the key file, like the Prisma client by its store, so a process pointed at another store
// reads that store's key.
const DEFAULT_DATABASE_PATH = 'data/paradump.db';

const globalForKey = globalThis as typeof globalThis & { paradumpSecretKey?: { keyFile: string; key: Promise<Buffer> } };

/**
 * The key file lives next to the SQLite store (`data/secret.key` by default). A PostgreSQL store has
 * no folder, so it is `data/secret.key` of this process; processes sharing that store on several
 * machines need one key, so they set the same PARADUMP_SECRET (docs/scale.md).
 */
export function secretKeyFile(): string {
  const databasePath = storeProvider() === 'sqlite' ? resolveDatabasePath() : path.resolve(DEFAULT_DATABASE_PATH);
  return path.join(path.dirname(databasePath), 'secret.key');
}

/** PARADUMP_SECRET, or the key file (created 0600 on first use). */
export function getSecretKey(): Promise<Buffer> {
  const keyFile = secretKeyFile();
  if (globalForKey.paradumpSecretKey?.keyFile !== keyFile) {
    const key = loadSecretKey({ keyFile }).then((k) => k.key);
    globalForKey.paradumpSecretKey = { keyFile, key };
    // A failed load (unreadable file) is retried on the next call rather than cached forever.
    key.catch(() => {
      if (globalForKey.paradumpSecretKey?.key === key) globalForKey.paradumpSecretKey = undefined;
    });
  }
  return globalForKey.paradumpSecretKey.key;
}

const context = (serverId: string) => `server:${serverId}`;
// Its own context: a sealed key copied into passwordSealed (or the other way round) does not open.
const tlsKeyContext = (serverId: string) => `server-tls-key:${serverId}`;

/** `text` sealed, bound to `aad`; '' stays '' (nothing to keep). */
async function seal(text: string, aad: string): Promise<string> {
  return text === '' ? '' : encryptSecret(await getSecretKey(), text, aad);
}

async function unseal(sealed: string, aad: string): Promise<string> {
  return sealed === '' ? '' : decryptSecret(await getSecretKey(), sealed, aad);
}

/** The sealed form of a server's password ('' stays '': no password). */
export function sealServerPassword({ serverId, password }: { serverId: string; password: string }): Promise<string> {
  return seal(password, context(serverId));
}

/** The password, for building a URI in this process only. */
export function openServerPassword({ serverId, sealed }: { serverId: string; sealed: string }): Promise<string> {
  return unseal(sealed, context(serverId));
}

/** The sealed form of a server's TLS client key ('' stays '': no key). */
export function sealServerTlsKey({ serverId, key }: { serverId: string; key: string }): Promise<string> {
  return seal(key, tlsKeyContext(serverId));
}

/** The TLS client key, for a connection made in this process only. */
export function openServerTlsKey({ serverId, sealed }: { serverId: string; sealed: string }): Promise<string> {
  return unseal(sealed, tlsKeyContext(serverId));
}

/**
 * Passwords saved before encryption at rest were carried over by the migration as `plain:<password>`:
 * seal them. Runs at start-up, before a request is served.
 */
export async function sealLegacyPasswords(): Promise<number> {
  const prisma = getPrisma();
  const legacy = await prisma.server.findMany({ where: { passwordSealed: { startsWith: 'plain:' } }, select: { id: true, passwordSealed: true } });
  for (const row of legacy) {
    const sealed = await sealServerPassword({ serverId: row.id, password: row.passwordSealed.slice('plain:'.length) });
    await prisma.server.update({ where: { id: row.id }, data: { passwordSealed: sealed } });
  }
  return legacy.length;
}

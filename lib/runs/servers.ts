import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { discover } from '../engine/discover.ts';
import { LockMode } from '../engine/options.ts';
import { testConnection } from '../mysql/test-connection.ts';
import { fromDriverError } from '../engine/errors.ts';
import { Session } from '../mysql/session.ts';
import { parseServerUri, type ServerAddress } from '../mysql/uri.ts';
import { getPrisma } from '../store/prisma.ts';
import { RunError } from './errors.ts';
import { openServerPassword, sealServerPassword } from './server-secret.ts';
import { ServerPublic } from './schemas.ts';

const PUBLIC_FIELDS = { id: true, name: true, host: true, port: true, user: true, sandbox: true, createdAt: true } as const;

/** Form input for a new server. The password may be empty (e.g. a local root without one). */
export const AddServerInput = z.object({
  name: z.string().trim().min(1, { error: 'Give the server a name' }).max(80, { error: 'At most 80 characters' }),
  host: z
    .string()
    .trim()
    .min(1, { error: 'Enter a host name or IP address' })
    .regex(/^[A-Za-z0-9.\-:_]+$/, { error: 'Letters, digits, dots, dashes and colons only' }),
  port: z.coerce.number({ error: 'Enter a port number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 65535' }).max(65535, { error: 'From 1 to 65535' }),
  user: z.string().trim().min(1, { error: 'Enter the user name' }).max(128),
  password: z.string().max(1024).default(''),
});
export type AddServerInput = z.input<typeof AddServerInput>;

export async function listServers(): Promise<ServerPublic[]> {
  const rows = await getPrisma().server.findMany({ orderBy: { name: 'asc' }, select: PUBLIC_FIELDS });
  return z.array(ServerPublic).parse(rows);
}

export async function getServer({ id }: { id: string }): Promise<ServerPublic> {
  const row = await getPrisma().server.findUnique({ where: { id }, select: PUBLIC_FIELDS });
  if (!row) throw new RunError('SERVER_NOT_FOUND', `no saved server ${id}`);
  return ServerPublic.parse(row);
}

/** The server's address with its password: for connections made in this process only, never for a page. */
export async function serverAddress({ id }: { id: string }): Promise<{ server: ServerPublic; address: ServerAddress; uri: string }> {
  const row = await getPrisma().server.findUnique({ where: { id } });
  if (!row) throw new RunError('SERVER_NOT_FOUND', `no saved server ${id}`);
  const password = await openServerPassword({ serverId: row.id, sealed: row.passwordSealed });
  const uri = buildUri({ host: row.host, port: row.port, user: row.user, password });
  return { server: ServerPublic.parse(row), address: parseServerUri(uri), uri };
}

function buildUri(s: { host: string; port: number; user: string; password: string }): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  const auth = s.password ? `${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}` : encodeURIComponent(s.user);
  return `mysql://${auth}@${host}:${s.port}`;
}

/** Connects once to check the address and credentials, then saves the server. Returns it without its password. */
export async function addServer(input: z.output<typeof AddServerInput> & { sandbox?: boolean }): Promise<ServerPublic & { version: string }> {
  const prisma = getPrisma();
  if (await prisma.server.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new RunError('SERVER_NAME_TAKEN', `a server named ${input.name} is already saved`);
  }
  const version = await checkConnection(parseServerUri(buildUri(input)));
  // The id is chosen here so the sealed password can be bound to it (AAD) in the same insert.
  const id = `srv_${randomUUID()}`;
  const passwordSealed = await sealServerPassword({ serverId: id, password: input.password });
  const row = await prisma.server.create({
    data: { id, name: input.name, host: input.host, port: input.port, user: input.user, passwordSealed, sandbox: input.sandbox ?? false },
    select: PUBLIC_FIELDS,
  });
  return { ...ServerPublic.parse(row), version };
}

/** Flavor and version of the server, or the engine's error (ACCESS_DENIED, CONNECTION_REFUSED, …). */
export async function checkConnection(address: ServerAddress): Promise<string> {
  const session = await Session.open(address, { label: `connecting to ${address.host}:${address.port}` });
  try {
    return `${session.flavor.kind === 'mariadb' ? 'MariaDB' : 'MySQL'} ${session.flavor.versionString}`;
  } finally {
    await session.close();
  }
}

export const ServerObjects = z.object({
  version: z.string(),
  databases: z.array(
    z.object({
      name: z.string(),
      tables: z.array(z.object({ name: z.string(), rowsEstimate: z.number(), bytesEstimate: z.number() })),
    }),
  ),
});
export type ServerObjects = z.infer<typeof ServerObjects>;

/** The server's live list of databases and tables (system databases left out), for the backup form. */
export async function listServerObjects({ id }: { id: string }): Promise<ServerObjects> {
  const { address } = await serverAddress({ id });
  const session = await Session.open(address, { label: `connecting to ${address.host}:${address.port}` });
  try {
    const databases = await discover(session, { databases: [], excludeDatabases: [], tables: [], excludeTables: [], objects: false });
    return ServerObjects.parse({
      version: `${session.flavor.kind === 'mariadb' ? 'MariaDB' : 'MySQL'} ${session.flavor.versionString}`,
      databases: databases.map((d) => ({ name: d.name, tables: d.tables.map((t) => ({ name: t.name, rowsEstimate: t.rowsEstimate, bytesEstimate: t.bytesEstimate })) })),
    });
  } catch (error) {
    throw fromDriverError(error, 'listing databases');
  } finally {
    await session.close();
  }
}

/** The add-server form's fields plus the lock strategy whose privileges are checked. */
export const TestConnectionInput = AddServerInput.omit({ name: true }).extend({ lock: LockMode.default('snapshot') });

export const ConnectionReport = z.object({
  ok: z.boolean(),
  summary: z.string(),
  /** Privileges the lock strategy needs that the account lacks: `RELOAD (for BACKUP STAGE)`. */
  missing: z.array(z.string()),
});
export type ConnectionReport = z.infer<typeof ConnectionReport>;

/**
 * Connects with the form's values (nothing is saved) and says in plain words what works: host
 * unreachable, connection refused, access denied, TLS failure, or which privileges the chosen lock
 * strategy lacks (SHOW GRANTS). The password never appears in what it returns.
 */
export async function testServerConnection(input: z.output<typeof TestConnectionInput>): Promise<ConnectionReport> {
  const check = await testConnection({ address: buildUri(input), lock: input.lock });
  const scrub = (text: string) => (input.password ? text.replaceAll(input.password, '***').replaceAll(encodeURIComponent(input.password), '***') : text);
  return ConnectionReport.parse({
    ok: check.ok,
    summary: scrub(check.summary),
    missing: check.ok ? check.missing.map((m) => scrub(`${m.need} (to ${m.why})`)) : [],
  });
}

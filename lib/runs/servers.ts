import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { discover } from '../mysql/discover.ts';
import { LockMode } from '../core/dump-options.ts';
import { testConnection } from '../mysql/test-connection.ts';
import { fromDriverError } from '../mysql/driver-error.ts';
import { Session } from '../mysql/session.ts';
import { ConnectionTls, PEM_MAX_BYTES, tlsProblems } from '../mysql/tls.ts';
import { TlsMode } from '../core/tls-modes.ts';
import { parseServerUri, withTls, type ServerAddress } from '../mysql/uri.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { getPrisma } from '../store/prisma.ts';
import { openServerPassword, openServerTlsKey, sealServerPassword, sealServerTlsKey } from './server-secret.ts';
import { ServerPublic } from './schemas.ts';
import { ParadumpError } from '../core/errors.ts';

const PUBLIC_FIELDS = { id: true, name: true, host: true, port: true, user: true, sandbox: true, createdAt: true, tlsMode: true, tlsCa: true, tlsCert: true } as const;

type PublicRow = Prisma.ServerGetPayload<{ select: typeof PUBLIC_FIELDS }>;

/** The row as pages see it: the CA and client certificate only as "set or not", the key not at all. */
function toPublic(row: PublicRow): ServerPublic {
  return ServerPublic.parse({
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    user: row.user,
    sandbox: row.sandbox,
    createdAt: row.createdAt,
    tls: { mode: row.tlsMode, ca: row.tlsCa !== '', clientCert: row.tlsCert !== '' },
  });
}

const pemField = z.string().max(2 * PEM_MAX_BYTES, { error: 'At most 64 KiB' }).default('');

/** The connection fields of the add-server form (TLS: mode, and PEM text pasted into textareas). */
const ServerFields = z.object({
  name: z.string().trim().min(1, { error: 'Give the server a name' }).max(80, { error: 'At most 80 characters' }),
  host: z
    .string()
    .trim()
    .min(1, { error: 'Enter a host name or IP address' })
    .regex(/^[A-Za-z0-9.\-:_]+$/, { error: 'Letters, digits, dots, dashes and colons only' }),
  port: z.coerce.number({ error: 'Enter a port number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 65535' }).max(65535, { error: 'From 1 to 65535' }),
  user: z.string().trim().min(1, { error: 'Enter the user name' }).max(128),
  password: z.string().max(1024).default(''),
  tlsMode: z.enum(TlsMode.options, { error: 'Choose off, required, verify-ca or verify-identity' }).default('off'),
  tlsCa: pemField,
  tlsCert: pemField,
  tlsKey: pemField,
});

const TLS_FIELD = { mode: 'tlsMode', ca: 'tlsCa', cert: 'tlsCert', key: 'tlsKey' } as const;

/** Each TLS problem on its own form field ("verify-ca needs a CA certificate" on tlsCa, …). */
function checkTls(input: TlsFields, ctx: z.RefinementCtx): void {
  for (const p of tlsProblems({ mode: input.tlsMode, ca: input.tlsCa, cert: input.tlsCert, key: input.tlsKey })) {
    ctx.addIssue({ code: 'custom', path: [TLS_FIELD[p.field]], message: p.message });
  }
}

/** Form input for a new server. The password may be empty (e.g. a local root without one). */
export const AddServerInput = ServerFields.superRefine(checkTls);
export type AddServerInput = z.input<typeof AddServerInput>;

type TlsFields = { tlsMode: TlsMode; tlsCa: string; tlsCert: string; tlsKey: string };

/** The TLS option of the form's values ('' fields left out; none at all: off). */
function formTls(input: Partial<TlsFields>): ConnectionTls {
  return ConnectionTls.parse({ mode: input.tlsMode ?? 'off', ca: input.tlsCa, cert: input.tlsCert, key: input.tlsKey });
}

export async function listServers(): Promise<ServerPublic[]> {
  const rows = await getPrisma().server.findMany({ orderBy: { name: 'asc' }, select: PUBLIC_FIELDS });
  return rows.map(toPublic);
}

export async function getServer({ id }: { id: string }): Promise<ServerPublic> {
  const row = await getPrisma().server.findUnique({ where: { id }, select: PUBLIC_FIELDS });
  if (!row) throw new ParadumpError('SERVER_NOT_FOUND', `no saved server ${id}`);
  return toPublic(row);
}

/**
 * The server's address with its password and TLS settings (client key opened): for connections made
 * in this process only, never for a page. `uri` holds no TLS: pass `address.tls` as the `tls` option.
 */
export async function serverAddress({ id }: { id: string }): Promise<{ server: ServerPublic; address: ServerAddress; uri: string }> {
  const row = await getPrisma().server.findUnique({ where: { id } });
  if (!row) throw new ParadumpError('SERVER_NOT_FOUND', `no saved server ${id}`);
  const password = await openServerPassword({ serverId: row.id, sealed: row.passwordSealed });
  const key = await openServerTlsKey({ serverId: row.id, sealed: row.tlsKeySealed });
  const uri = buildUri({ host: row.host, port: row.port, user: row.user, password });
  const tls = ConnectionTls.parse({ mode: row.tlsMode, ca: row.tlsCa, cert: row.tlsCert, key });
  return { server: toPublic(row), address: withTls(parseServerUri(uri), tls), uri };
}

function buildUri(s: { host: string; port: number; user: string; password: string }): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  const auth = s.password ? `${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}` : encodeURIComponent(s.user);
  return `mysql://${auth}@${host}:${s.port}`;
}

/** Connects once to check the address, credentials and TLS, then saves the server. Returns it without its secrets. */
export async function addServer(input: Omit<z.output<typeof AddServerInput>, keyof TlsFields> & Partial<TlsFields> & { sandbox?: boolean }): Promise<ServerPublic & { version: string }> {
  const prisma = getPrisma();
  if (await prisma.server.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new ParadumpError('SERVER_NAME_TAKEN', `a server named ${input.name} is already saved`);
  }
  const tls = formTls(input);
  const version = await checkConnection(withTls(parseServerUri(buildUri(input)), tls));
  // The id is chosen here so the sealed password and key can be bound to it (AAD) in the same insert.
  const id = `srv_${randomUUID()}`;
  const passwordSealed = await sealServerPassword({ serverId: id, password: input.password });
  const tlsKeySealed = await sealServerTlsKey({ serverId: id, key: tls.key ?? '' });
  const row = await prisma.server.create({
    data: {
      id,
      name: input.name,
      host: input.host,
      port: input.port,
      user: input.user,
      passwordSealed,
      sandbox: input.sandbox ?? false,
      tlsMode: tls.mode,
      tlsCa: tls.ca ?? '',
      tlsCert: tls.cert ?? '',
      tlsKeySealed,
    },
    select: PUBLIC_FIELDS,
  });
  return { ...toPublic(row), version };
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
export const TestConnectionInput = ServerFields.omit({ name: true }).extend({ lock: LockMode.default('snapshot') }).superRefine(checkTls);

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
  const check = await testConnection({ address: withTls(parseServerUri(buildUri(input)), formTls(input)), lock: input.lock });
  const scrub = (text: string) => (input.password ? text.replaceAll(input.password, '***').replaceAll(encodeURIComponent(input.password), '***') : text);
  return ConnectionReport.parse({
    ok: check.ok,
    summary: scrub(check.summary),
    missing: check.ok ? check.missing.map((m) => scrub(`${m.need} (to ${m.why})`)) : [],
  });
}

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SslOptions } from 'mysql2';
import { z } from 'zod';
import { ParadumpError } from '../core/errors.ts';
import { TlsMode } from '../core/tls-modes.ts';


/** Largest PEM text accepted for one field (a CA bundle, a certificate chain or a key). */
export const PEM_MAX_BYTES = 64 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/** The PEM blocks of `text` when it holds nothing else (whitespace aside), else null. */
function pemBlocks(text: string): { label: string; pem: string }[] | null {
  const blocks: { label: string; pem: string }[] = [];
  let rest = '';
  let last = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    rest += text.slice(last, m.index);
    last = m.index + m[0].length;
    blocks.push({ label: m[1]!, pem: m[0] });
  }
  rest += text.slice(last);
  return blocks.length > 0 && rest.trim() === '' ? blocks : null;
}

/** Why `text` is not PEM certificates (one or more, e.g. a CA bundle or a chain), or null when it is. */
export function certificateProblem(text: string, what: string): string | null {
  if (Buffer.byteLength(text, 'utf8') > PEM_MAX_BYTES) return `The ${what} is larger than 64 KiB`;
  const blocks = pemBlocks(text);
  if (!blocks) return `The ${what} is not PEM: paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----`;
  for (const b of blocks) {
    if (b.label !== 'CERTIFICATE') return `The ${what} must hold certificates only, not a ${b.label.toLowerCase()}`;
    try {
      new X509Certificate(b.pem);
    } catch {
      return `The ${what} is PEM but not a readable X.509 certificate`;
    }
  }
  return null;
}

/** Why `text` is not one unencrypted PEM private key, or null when it is. */
export function privateKeyProblem(text: string): string | null {
  if (Buffer.byteLength(text, 'utf8') > PEM_MAX_BYTES) return 'The client key is larger than 64 KiB';
  const blocks = pemBlocks(text);
  if (!blocks) return 'The client key is not PEM: paste the text from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----';
  if (blocks.length !== 1) return 'The client key must be exactly one PEM private key';
  const label = blocks[0]!.label;
  if (label === 'ENCRYPTED PRIVATE KEY') return 'The client key is encrypted: store it decrypted (openssl pkey -in key.pem -out plain.pem)';
  if (!KEY_LABELS.has(label)) return `The client key must be a private key, not a ${label.toLowerCase()}`;
  try {
    createPrivateKey(blocks[0]!.pem);
  } catch {
    return 'The client key is PEM but not a readable private key';
  }
  return null;
}

export interface TlsProblem {
  field: 'mode' | 'ca' | 'cert' | 'key';
  message: string;
}

/**
 * Everything wrong with a TLS setting, each naming its field: PEM that is not PEM, verify-ca without
 * a CA, a client certificate without its key (or the other way round), a key of another certificate,
 * certificates given while TLS is off. Empty when it is fine.
 */
export function tlsProblems(tls: { mode: TlsMode; ca?: string | undefined; cert?: string | undefined; key?: string | undefined }): TlsProblem[] {
  const problems: TlsProblem[] = [];
  const ca = tls.ca?.trim() ? tls.ca : undefined;
  const cert = tls.cert?.trim() ? tls.cert : undefined;
  const key = tls.key?.trim() ? tls.key : undefined;
  if (tls.mode === 'off') {
    if (ca || cert || key) problems.push({ field: 'mode', message: 'TLS is off: choose a TLS mode to use the certificates, or leave them out' });
    return problems;
  }
  if (ca) {
    const p = certificateProblem(ca, 'CA certificate');
    if (p) problems.push({ field: 'ca', message: p });
  } else if (tls.mode === 'verify-ca') {
    problems.push({ field: 'ca', message: 'verify-ca needs a CA certificate' });
  }
  const certProblem = cert ? certificateProblem(cert, 'client certificate') : null;
  const keyProblem = key ? privateKeyProblem(key) : null;
  if (certProblem) problems.push({ field: 'cert', message: certProblem });
  if (keyProblem) problems.push({ field: 'key', message: keyProblem });
  if (cert && !key) problems.push({ field: 'key', message: 'The client certificate and key go together: add the key' });
  if (key && !cert) problems.push({ field: 'cert', message: 'The client certificate and key go together: add the certificate' });
  if (cert && key && !certProblem && !keyProblem && !keyMatches(cert, key)) {
    problems.push({ field: 'key', message: 'The client key does not belong to the client certificate' });
  }
  return problems;
}

function keyMatches(cert: string, key: string): boolean {
  const blocks = pemBlocks(cert) ?? [];
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
    // The first certificate of a chain is the client's own.
    return new X509Certificate(blocks[0]!.pem).checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

/** An empty or blank PEM field means "not given". */
const optionalPem = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim() + '\n'));

/**
 * TLS of one connection: the engine's connection option (never part of a URI, never written to a
 * manifest, a state file or a log: `key` is a secret).
 */
export const ConnectionTls = z
  .object({
    /** @default "off" */
    mode: TlsMode.default('off'),
    /** PEM: the CA certificate(s) the server's certificate must chain to (verify modes; verify-identity falls back to the system's CAs). */
    ca: optionalPem,
    /** PEM: client certificate (chain) for accounts created `REQUIRE X509` / `SUBJECT`. */
    cert: optionalPem,
    /** PEM: the client certificate's private key, unencrypted. A secret. */
    key: optionalPem,
  })
  .superRefine((tls, ctx) => {
    for (const p of tlsProblems(tls)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
  })
  .transform((t): ConnectionTls => ({ mode: t.mode, ...(t.ca ? { ca: t.ca } : {}), ...(t.cert ? { cert: t.cert } : {}), ...(t.key ? { key: t.key } : {}) }));
export type ConnectionTlsInput = z.input<typeof ConnectionTls>;
export interface ConnectionTls {
  mode: TlsMode;
  ca?: string;
  cert?: string;
  key?: string;
}

export const TLS_OFF: ConnectionTls = Object.freeze({ mode: 'off' }) as ConnectionTls;

/**
 * mysql2's `ssl` option for a TLS setting (undefined: plain TCP). A fresh object per connection:
 * mysql2 keys its TLS session cache on this object, so a session resumed under one CA can never
 * stand in for a check under another.
 */
export function mysqlSslOptions(tls: ConnectionTls): SslOptions | undefined {
  const client = tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {};
  switch (tls.mode) {
    case 'off':
      return undefined;
    case 'required':
      return { rejectUnauthorized: false, ...client };
    case 'verify-ca':
      // mysql2 checks the host name only with verifyIdentity; the chain is checked by Node.
      return { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: true, verifyIdentity: false, ...client };
    case 'verify-identity':
      return { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: true, verifyIdentity: true, ...client };
  }
}

/** Which command-line clients: MariaDB's (`--ssl`, `--ssl-verify-server-cert`) or MySQL's (`--ssl-mode`). */
export type ClientToolKind = 'mariadb' | 'mysql';

/** Where the PEM of one connection's TLS setting is, as files (or placeholders, in a printed command). */
export interface TlsFilePaths {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * The options of a command-line client (`mariadb-binlog`, `mariadb`, `mysqlbinlog`, `mysql`) for a
 * TLS setting, its PEM given as files: the same checks as `mysqlSslOptions`, in the client's words.
 *
 * MariaDB 10.11 clients do not insist on TLS unless told to verify the server's certificate, and
 * they verify it only with its host name: `--ssl-ca` alone checks the chain when TLS is negotiated,
 * but goes on in plain text if the server does not offer TLS. So verify-ca is passed as
 * `--ssl-ca --ssl-verify-server-cert` when the server's certificate names the host connected to
 * (`certificateNamesHost`, as seen by the engine's own verify-ca connection); otherwise it is
 * refused (TLS_FAILED, name-mismatch) rather than run with a check that can be stripped. MySQL's
 * clients have `--ssl-mode` and enforce every mode themselves.
 */
export function clientTlsArgs({ tls, kind, files, certificateNamesHost, label = 'client program' }: { tls: ConnectionTls; kind: ClientToolKind; files: TlsFilePaths; certificateNamesHost: boolean; label?: string }): string[] {
  if (tls.mode === 'off') return [];
  const file = (field: keyof TlsFilePaths) => {
    const f = files[field];
    if (f === undefined) throw new Error(`clientTlsArgs: no file for the ${field}`);
    return f;
  };
  const ca = tls.ca ? [`--ssl-ca=${file('ca')}`] : [];
  const client = tls.cert && tls.key ? [`--ssl-cert=${file('cert')}`, `--ssl-key=${file('key')}`] : [];
  if (kind === 'mysql') {
    const mode = { required: 'REQUIRED', 'verify-ca': 'VERIFY_CA', 'verify-identity': 'VERIFY_IDENTITY' }[tls.mode];
    return [`--ssl-mode=${mode}`, ...(tls.mode === 'required' ? [] : ca), ...client];
  }
  switch (tls.mode) {
    case 'required':
      // No CA: a CA file would make the client check the chain, which required does not ask for.
      return ['--ssl', ...client];
    case 'verify-ca':
      if (!certificateNamesHost) {
        throw new ParadumpError('TLS_FAILED', `${label}: TLS failed (verify-ca): the MariaDB client programs cannot check the CA without also checking the host name, and the server certificate does not name the host connected to: connect by a name (or IP address) the certificate holds, or use verify-identity or required`, {
          details: { tls: 'name-mismatch' },
        });
      }
      return ['--ssl', ...ca, '--ssl-verify-server-cert', ...client];
    case 'verify-identity':
      // Without a CA the client trusts the system's CAs, as the engine does.
      return ['--ssl', ...ca, '--ssl-verify-server-cert', ...client];
  }
}

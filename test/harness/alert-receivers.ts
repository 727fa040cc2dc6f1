import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// Loopback receivers for alert tests: a webhook endpoint (node:http) and a mail server (smtp-server).
// Both listen on 127.0.0.1 on a free port and are closed by the test that started them.

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Statuses to answer the next requests with, in order (then 200). */
  answers: number[];
  /** While on, requests are read and never answered (the sender's timeout must fire). */
  hang: { on: boolean };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const answers: number[] = [];
  const hang = { on: false };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      if (hang.on) return;
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answers,
    hang,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** True when the request carries the signature a receiver holding `secret` computes (docs/plans.md). */
export function hasValidSignature(request: ReceivedRequest, secret: string): boolean {
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${String(request.headers['x-paradump-timestamp'])}.${request.body}`).digest('hex');
  return request.headers['x-paradump-signature'] === expected;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  user: string | null;
}

export const SMTP_USER = { username: 'alerts', password: 'smtp-pass' } as const;

/**
 * A mail server without TLS that allows AUTH in plain (only on loopback): accepts SMTP_USER, refuses
 * other credentials with 535 and any recipient at `nobody@…` with 550 5.1.1.
 */
export async function startSmtpServer(): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER.username && auth.password === SMTP_USER.password) return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('nobody@')) return cb(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(parts).toString('utf8'), user: (session.user as string | undefined) ?? null });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasValidSignature, startSmtpServer, startWebhookReceiver, type ReceivedRequest } from '../../test/harness/alert-receivers.ts';
import { isParadumpError } from '../core/errors.ts';
import { applyMigrations } from '../store/apply-migrations.ts';
import { getPrisma } from '../store/prisma.ts';
import { AlertEvent } from './alert-event.ts';
import { decideRunAlerts, isStale } from './decide-alerts.ts';
import { readPlanLog } from './plan-log.ts';
import { savePlan, type PlanView } from './plan-store.ts';
import { sendEmail } from './send-email.ts';
import { sendPlanAlert } from './send-plan-alert.ts';
import { sendWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './send-webhook.ts';

const SECRET = 'a-webhook-secret-of-32-characters';

const receiver = startWebhookReceiver;
const smtp = startSmtpServer;
const verify = (r: ReceivedRequest) => hasValidSignature(r, SECRET);

describe('sendWebhook against a real HTTP receiver', () => {
  it('signs the JSON body with HMAC-SHA256 over the timestamp and body', async () => {
    const hook = await receiver();
    try {
      const body = JSON.stringify({ hello: 'world' });
      const last = await sendWebhook({ url: hook.url, secret: SECRET, body, event: 'test', backoffMs: 10 });
      expect(last).toMatchObject({ attempt: 1, status: 200, ok: true });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.body).toBe(body);
      expect(hook.received[0]!.headers['content-type']).toBe('application/json');
      expect(hook.received[0]!.headers['x-paradump-event']).toBe('test');
      expect(verify(hook.received[0]!)).toBe(true);
      // The signed timestamp is the sending time, so a receiver can refuse replays of old requests.
      expect(Math.abs(Date.now() / 1000 - Number(hook.received[0]!.headers[TIMESTAMP_HEADER.toLowerCase()]))).toBeLessThan(60);
      // Changing one byte of the body breaks the signature; so does another secret.
      expect(verify({ ...hook.received[0]!, body: body.replace('world', 'World') })).toBe(false);
      expect(hasValidSignature(hook.received[0]!, 'another-secret-of-some-length')).toBe(false);
      // A receiver with another secret would refuse it.
      expect(hook.received[0]!.headers[SIGNATURE_HEADER.toLowerCase()]).not.toBe('sha256=' + createHmac('sha256', 'other').update(body).digest('hex'));
    } finally {
      await hook.close();
    }
  });

  it('retries 503s with backoff and succeeds; each attempt is reported', async () => {
    const hook = await receiver();
    hook.answers.push(503, 503);
    const attempts: { attempt: number; answer: string }[] = [];
    try {
      const started = Date.now();
      const last = await sendWebhook({ url: hook.url, secret: SECRET, body: '{}', event: 'failure', backoffMs: 50, onAttempt: (a) => void attempts.push(a) });
      expect(last.attempt).toBe(3);
      expect(attempts.map((a) => a.answer)).toEqual(['HTTP 503', 'HTTP 503', 'HTTP 200']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(50 + 100);
      expect(hook.received.every(verify)).toBe(true);
    } finally {
      await hook.close();
    }
  });

  it('does not retry a 400, and says WEBHOOK_FAILED', async () => {
    const hook = await receiver();
    hook.answers.push(400);
    try {
      const error = await sendWebhook({ url: hook.url, secret: SECRET, body: '{}', event: 'failure', backoffMs: 10 }).catch((e: unknown) => e);
      expect(isParadumpError(error, 'WEBHOOK_FAILED')).toBe(true);
      expect(hook.received).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it('times out a receiver that never answers, retries, then gives up', async () => {
    const hook = await receiver();
    hook.hang.on = true;
    const attempts: string[] = [];
    try {
      const error = await sendWebhook({ url: hook.url, secret: SECRET, body: '{}', event: 'failure', attempts: 2, timeoutMs: 300, backoffMs: 10, onAttempt: (a) => void attempts.push(a.answer) }).catch((e: unknown) => e);
      expect(isParadumpError(error, 'WEBHOOK_FAILED')).toBe(true);
      expect(attempts).toEqual(['timed out after 300 ms', 'timed out after 300 ms']);
      expect(hook.received).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });

  it('an unreachable webhook (nothing listening) fails with a clear message', async () => {
    const hook = await receiver();
    const url = hook.url;
    await hook.close();
    const error = await sendWebhook({ url, secret: SECRET, body: '{}', event: 'failure', attempts: 2, backoffMs: 10 }).catch((e: unknown) => e);
    expect(isParadumpError(error, 'WEBHOOK_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED|connect/);
  });
});

describe('sendEmail against a real SMTP server', () => {
  it('delivers with authentication', async () => {
    const server = await smtp();
    try {
      const answer = await sendEmail({ smtp: { host: '127.0.0.1', port: server.port, secure: false, user: 'alerts', from: 'paradump@example.com' }, password: 'smtp-pass', to: ['ops@example.com'], subject: '[paradump] test', text: 'hello' });
      expect(answer).toMatch(/^250/);
      expect(server.mails).toHaveLength(1);
      expect(server.mails[0]).toMatchObject({ from: 'paradump@example.com', to: ['ops@example.com'], user: 'alerts' });
      expect(server.mails[0]!.data).toContain('Subject: [paradump] test');
    } finally {
      await server.close();
    }
  });

  it('SMTP refusing (bad password, unknown recipient) is SMTP_FAILED with the server answer', async () => {
    const server = await smtp();
    try {
      const bad = await sendEmail({ smtp: { host: '127.0.0.1', port: server.port, secure: false, user: 'alerts', from: 'p@example.com' }, password: 'wrong', to: ['ops@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
      expect(isParadumpError(bad, 'SMTP_FAILED')).toBe(true);
      expect((bad as Error).message).toMatch(/535|Invalid username or password/);
      const nobody = await sendEmail({ smtp: { host: '127.0.0.1', port: server.port, secure: false, from: 'p@example.com' }, password: '', to: ['nobody@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
      expect(isParadumpError(nobody, 'SMTP_FAILED')).toBe(true);
      expect((nobody as Error).message).toMatch(/550|No such user/);
      expect(server.mails).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('sendPlanAlert (store, sealed secrets, plan log)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paradump-alerts-'));
  const databasePath = path.join(dir, 'store.db');

  beforeAll(() => {
    process.env.PARADUMP_DATABASE_URL = `file:${databasePath}`;
    process.env.PARADUMP_DUMP_ROOT = dir;
    applyMigrations({ databasePath, migrationsDir: path.resolve(import.meta.dirname, '../../prisma/migrations') });
  });
  afterAll(async () => {
    await getPrisma().$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a test alert to both channels, logs every attempt, keeps secrets sealed', async () => {
    const hook = await receiver();
    const mail = await smtp();
    hook.answers.push(500);
    try {
      const server = await getPrisma().server.create({ data: { name: 'alerts-src', host: '127.0.0.1', port: 3306, user: 'root' } });
      const { id } = await savePlan({
        input: {
          name: 'nightly',
          serverId: server.id,
          databases: ['shop'],
          dump: {},
          schedule: { cron: '0 2 * * *', timeZone: 'Europe/Paris' },
          retention: { keepLast: 3 },
          alerts: { webhook: { url: hook.url, secret: SECRET }, email: { to: ['ops@example.com'], smtp: { host: '127.0.0.1', port: mail.port, user: 'alerts', password: 'smtp-pass', from: 'paradump@example.com' } } },
        },
      });
      const row = await getPrisma().plan.findUniqueOrThrow({ where: { id } });
      expect(row.settings).not.toContain(SECRET);
      expect(row.settings).not.toContain('smtp-pass');
      expect(row.webhookSecretSealed).toMatch(/^v1:/);
      const results = await sendPlanAlert({ planId: id, type: 'test', options: { webhook: { backoffMs: 10 } } });
      expect(results.map((r) => [r.channel, r.ok])).toEqual([['webhook', true], ['email', true]]);
      expect(hook.received).toHaveLength(2);
      const event = AlertEvent.parse(JSON.parse(hook.received[1]!.body));
      expect(event).toMatchObject({ version: 1, type: 'test', plan: { id, name: 'nightly', server: 'alerts-src' }, run: null });
      expect(hook.received.every(verify)).toBe(true);
      expect(mail.mails[0]!.data).toContain('Test alert from backup plan');
      const log = (await readPlanLog({ planId: id })).reverse().map((l) => `${l.level} ${l.code ?? '-'} ${l.message}`);
      expect(log).toEqual([
        expect.stringMatching(/^error WEBHOOK_FAILED Webhook test alert, attempt 1: HTTP 500/),
        expect.stringMatching(/^info - Webhook test alert, attempt 2: HTTP 200/),
        expect.stringMatching(/^info - Email test alert to ops@example.com: 250/),
      ]);
      // Editing with the secret fields left empty keeps the saved ones.
      const view = (await import('./plan-store.ts')).getPlanView({ id });
      const v: PlanView = await view;
      await savePlan({ id, input: { ...v, alerts: { ...v.alerts, webhook: { url: hook.url, secret: '' }, email: { to: v.alerts.email!.to, smtp: { ...v.alerts.email!.smtp, password: '' } } } } });
      await sendPlanAlert({ planId: id, type: 'test', options: { webhook: { backoffMs: 10 } } });
      expect(hook.received.slice(2).every(verify)).toBe(true);
      expect(mail.mails).toHaveLength(2);
    } finally {
      await hook.close();
      await mail.close();
    }
  });
});

describe('which alerts', () => {
  const alerts = { onSuccess: false, slowFactor: 2 };
  it('failure always, success when asked, slow over the factor × median', () => {
    expect(decideRunAlerts({ alerts, status: 'failed', durationMs: 10, earlierGoodDurations: [] })).toEqual(['failure']);
    expect(decideRunAlerts({ alerts, status: 'cancelled', durationMs: 10, earlierGoodDurations: [] })).toEqual([]);
    expect(decideRunAlerts({ alerts: { ...alerts, onSuccess: true }, status: 'succeeded', durationMs: 10, earlierGoodDurations: [] })).toEqual(['success']);
    expect(decideRunAlerts({ alerts, status: 'succeeded', durationMs: 250, earlierGoodDurations: [100, 110, 90, 5000] })).toEqual(['slow']);
    expect(decideRunAlerts({ alerts, status: 'succeeded', durationMs: 150, earlierGoodDurations: [100, 110, 90] })).toEqual([]);
    expect(decideRunAlerts({ alerts, status: 'succeeded', durationMs: 250, earlierGoodDurations: [100, 110] })).toEqual([]);
  });
  it('stale after the interval plus grace', () => {
    const day = 86_400_000;
    const createdAt = new Date('2026-01-01T00:00:00Z');
    expect(isStale({ lastGoodAt: new Date('2026-01-01T02:00:00Z'), createdAt, intervalMs: day, now: new Date('2026-01-02T06:00:00Z') })).toBe(false);
    expect(isStale({ lastGoodAt: new Date('2026-01-01T02:00:00Z'), createdAt, intervalMs: day, now: new Date('2026-01-02T09:00:00Z') })).toBe(true);
    expect(isStale({ lastGoodAt: null, createdAt, intervalMs: day, now: new Date('2026-01-02T07:00:00Z') })).toBe(true);
  });
});

import { createHmac } from 'node:crypto';
import { ParadumpError } from '../core/errors.ts';

export const SIGNATURE_HEADER = 'X-Paradump-Signature';
export const TIMESTAMP_HEADER = 'X-Paradump-Timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed so a captured request cannot be replayed later unnoticed. */
export function signWebhook({ secret, timestamp, body }: { secret: string; timestamp: string; body: string }): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookAttempt {
  attempt: number;
  /** HTTP status, or null when no answer came (refused, timeout). */
  status: number | null;
  ok: boolean;
  /** What happened, in a line: `HTTP 503`, `timed out after 5000 ms`, `connect ECONNREFUSED …`. */
  answer: string;
  durationMs: number;
}

const retryable = (status: number) => status >= 500 || status === 429 || status === 408;

/**
 * POSTs `body` (JSON text) signed with `secret`, up to `attempts` times with exponential backoff
 * (`backoffMs`, doubled each time) on no answer, a timeout or a 5xx/429; a 4xx is final. Each attempt
 * is reported to `onAttempt`. Throws WEBHOOK_FAILED after the last failed attempt.
 */
export async function sendWebhook({ url, secret, body, event, attempts = 4, timeoutMs = 10_000, backoffMs = 1_000, onAttempt }: { url: string; secret: string; body: string; event: string; attempts?: number; timeoutMs?: number; backoffMs?: number; onAttempt?: (a: WebhookAttempt) => Promise<void> | void }): Promise<WebhookAttempt> {
  let last: WebhookAttempt | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'paradump', 'X-Paradump-Event': event, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook({ secret, timestamp, body }) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      last = { attempt, status: response.status, ok: response.ok, answer: `HTTP ${response.status}`, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const timedOut = e.name === 'TimeoutError';
      last = { attempt, status: null, ok: false, answer: timedOut ? `timed out after ${timeoutMs} ms` : (e.cause?.message ?? e.message), durationMs: Math.round(performance.now() - started) };
    }
    await onAttempt?.(last);
    if (last.ok) return last;
    if (last.status !== null && !retryable(last.status)) break;
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
  }
  throw new ParadumpError('WEBHOOK_FAILED', `the webhook ${new URL(url).origin} did not accept the alert after ${last!.attempt} attempt(s): ${last!.answer}`, { details: { status: last!.status } });
}

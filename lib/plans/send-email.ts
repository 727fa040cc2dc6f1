import nodemailer from 'nodemailer';
import { ParadumpError } from '../core/errors.ts';

/**
 * Sends one email over SMTP. Refusals (connection, authentication, a rejected recipient) become
 * SMTP_FAILED with the server's own answer in the message. Returns the server's reply to the message.
 */
export async function sendEmail({ smtp, password, to, subject, text, timeoutMs = 15_000 }: { smtp: { host: string; port: number; secure: boolean; user?: string | undefined; from: string }; password: string; to: string[]; subject: string; text: string; timeoutMs?: number }): Promise<string> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: password } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from: smtp.from, to, subject, text });
    return String(info.response);
  } catch (error) {
    const e = error as Error & { response?: string; code?: string };
    throw new ParadumpError('SMTP_FAILED', `the mail server ${smtp.host}:${smtp.port} refused the alert: ${e.response ?? e.message}${e.code ? ` (${e.code})` : ''}`, { cause: error });
  } finally {
    transport.close();
  }
}

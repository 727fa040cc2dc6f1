import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SignInLimits } from '../security/rate-limit.ts';
import { findSession, SESSION_COOKIE, SESSION_DAYS, type SignedIn } from './sessions.ts';
import { hasUsers } from './users.ts';

/** The signed-in user of the current request (page, server action), or null. */
export async function currentSession(): Promise<SignedIn | null> {
  const jar = await cookies();
  return findSession({ token: jar.get(SESSION_COOKIE)?.value });
}

/**
 * For every page and server action: the signed-in user, or a redirect to /signin (to /setup while no
 * account exists). In a server action the redirect takes the browser there.
 */
export async function requireSession(): Promise<SignedIn> {
  const session = await currentSession();
  if (session) return session;
  redirect((await hasUsers()) ? '/signin' : '/setup');
}

/** For route handlers: the session of the request's cookie, or null (answer with `unauthorized()`). */
export async function sessionFromRequest(request: Request): Promise<SignedIn | null> {
  const cookie = request.headers.get('cookie') ?? '';
  const token = cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  return findSession({ token: token ? decodeURIComponent(token) : undefined });
}

export function unauthorized(): Response {
  return Response.json({ code: 'UNAUTHENTICATED', title: 'Sign in first', hint: 'This needs a signed-in session.' }, { status: 401, headers: { 'Cache-Control': 'no-store' } });
}

/** True when the browser reached us over https (directly or through a proxy that says so). */
export async function requestIsHttps(): Promise<boolean> {
  const h = await headers();
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (proto) return proto === 'https';
  // No proxy header: the browser's Origin (sent with every server action POST) says how it reached us.
  return (h.get('origin') ?? '').toLowerCase().startsWith('https://');
}

/** The client's address as the request states it (the first x-forwarded-for hop), for rate limiting. */
export async function clientAddress(): Promise<string> {
  const h = await headers();
  return h.get('x-forwarded-for')?.split(',')[0]?.trim() || h.get('x-real-ip') || 'direct';
}

export async function setSessionCookie({ token }: { token: string }): Promise<void> {
  const jar = await cookies();
  jar.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: await requestIsHttps(), path: '/', maxAge: SESSION_DAYS * 86_400 });
}

export async function clearSessionCookie(): Promise<string | undefined> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  jar.delete(SESSION_COOKIE);
  return token;
}

// One set of limits per process (sign-in failures per user name + address, and per user name).
const globalForLimiter = globalThis as typeof globalThis & { paradumpSignInLimits?: SignInLimits };
export function signInLimiter(): SignInLimits {
  globalForLimiter.paradumpSignInLimits ??= new SignInLimits();
  return globalForLimiter.paradumpSignInLimits;
}

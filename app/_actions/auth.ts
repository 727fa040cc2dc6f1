'use server';

import { redirect } from 'next/navigation';
import { clearSessionCookie, clientAddress, setSessionCookie, signInLimiter } from '@/lib/auth/require-session.ts';
import { createSession, deleteSession } from '@/lib/auth/sessions.ts';
import { checkCredentials, createFirstAdmin, Credentials, hasUsers, NewCredentials } from '@/lib/auth/users.ts';
import { fieldErrors, type FormState } from './state.ts';

const refusal = (title: string, hint: string, code = 'SIGN_IN_FAILED'): FormState['error'] => ({ code, title, hint, detail: '' });

export async function signInAction(_: FormState, form: FormData): Promise<FormState> {
  const values = { username: String(form.get('username') ?? '') };
  const input = Credentials.safeParse({ username: form.get('username') ?? '', password: form.get('password') ?? '' });
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  const limiter = signInLimiter();
  const address = await clientAddress();
  const wait = limiter.check(input.data.username, address);
  if (wait !== null) return { error: refusal('Too many attempts', `Try again in ${Math.ceil(wait / 60)} min.`, 'RATE_LIMITED'), values };
  const user = await checkCredentials(input.data);
  if (!user) {
    limiter.recordFailure(input.data.username, address);
    return { error: refusal('Wrong user name or password', 'Check both and try again.'), values };
  }
  limiter.reset(input.data.username, address);
  const { token } = await createSession({ userId: user.id });
  await setSessionCookie({ token });
  redirect('/');
}

export async function setupAction(_: FormState, form: FormData): Promise<FormState> {
  const values = { username: String(form.get('username') ?? '') };
  if (await hasUsers()) redirect('/signin');
  const input = NewCredentials.safeParse({ username: form.get('username') ?? '', password: form.get('password') ?? '' });
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  if (form.get('password') !== form.get('confirm')) return { fieldErrors: { confirm: ['The two passwords differ'] }, values };
  const user = await createFirstAdmin(input.data);
  if (!user) redirect('/signin');
  const { token } = await createSession({ userId: user.id });
  await setSessionCookie({ token });
  redirect('/');
}

export async function signOutAction(): Promise<void> {
  await deleteSession({ token: await clearSessionCookie() });
  redirect('/signin');
}

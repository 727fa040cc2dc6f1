'use server';

import { redirect } from 'next/navigation';
import { requireSession } from '@/lib/auth/require-session.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import { addServer, AddServerInput, TestConnectionInput, testServerConnection } from '@/lib/runs/servers.ts';
import { startSandbox } from '@/lib/runs/start-sandbox.ts';
import { fieldErrors, type FormState } from './state.ts';

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The TLS fields of the server form; absent ones (TLS off hides them) are left to the defaults. */
function tlsFields(form: FormData) {
  return { tlsMode: form.get('tlsMode') || undefined, tlsCa: form.get('tlsCa') ?? undefined, tlsCert: form.get('tlsCert') ?? undefined, tlsKey: form.get('tlsKey') ?? undefined };
}

export async function addServerAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const raw = { name: form.get('name'), host: form.get('host'), port: form.get('port'), user: form.get('user'), password: form.get('password') ?? '', ...tlsFields(form) };
  // Kept for the form after a refusal: never the password or the client key.
  const values = { name: text(raw.name), host: text(raw.host), port: text(raw.port), user: text(raw.user), tlsMode: text(raw.tlsMode), tlsCa: text(raw.tlsCa), tlsCert: text(raw.tlsCert) };
  const input = AddServerInput.safeParse(raw);
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  let id: string;
  try {
    ({ id } = await addServer(input.data));
  } catch (error) {
    return { error: expectedError(error), values };
  }
  redirect(`/backups/new?server=${encodeURIComponent(id)}`);
}

export async function startSandboxAction(_: FormState): Promise<FormState> {
  await requireSession();
  let id: string;
  try {
    ({ id } = await startSandbox());
  } catch (error) {
    return { error: expectedError(error) };
  }
  redirect(`/backups/new?server=${encodeURIComponent(id)}`);
}

export interface ConnectionState {
  report?: { ok: boolean; summary: string; missing: string[] };
  fieldErrors?: Record<string, string[] | undefined>;
}

/** "Test connection": connects with the form's values without saving anything. */
export async function testConnectionAction(_: ConnectionState, form: FormData): Promise<ConnectionState> {
  await requireSession();
  const input = TestConnectionInput.safeParse({ host: form.get('host'), port: form.get('port'), user: form.get('user'), password: form.get('password') ?? '', lock: form.get('lock') || undefined, ...tlsFields(form) });
  if (!input.success) return { fieldErrors: fieldErrors(input.error) };
  return { report: await testServerConnection(input.data) };
}

'use server';

import { redirect } from 'next/navigation';
import { requireSession } from '@/lib/auth/require-session.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import { addServer, AddServerInput, TestConnectionInput, testServerConnection } from '@/lib/runs/servers.ts';
import { startSandbox } from '@/lib/runs/start-sandbox.ts';
import { fieldErrors, type FormState } from './state.ts';

export async function addServerAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const raw = { name: form.get('name'), host: form.get('host'), port: form.get('port'), user: form.get('user'), password: form.get('password') ?? '' };
  const values = { name: String(raw.name ?? ''), host: String(raw.host ?? ''), port: String(raw.port ?? ''), user: String(raw.user ?? '') };
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
  const input = TestConnectionInput.safeParse({ host: form.get('host'), port: form.get('port'), user: form.get('user'), password: form.get('password') ?? '', lock: form.get('lock') || undefined });
  if (!input.success) return { fieldErrors: fieldErrors(input.error) };
  return { report: await testServerConnection(input.data) };
}

'use server';

import { redirect } from 'next/navigation';
import { expectedError } from '@/lib/runs/errors.ts';
import { addServer, AddServerInput } from '@/lib/runs/servers.ts';
import { startSandbox } from '@/lib/runs/start-sandbox.ts';
import { fieldErrors, type FormState } from './state.ts';

export async function addServerAction(_: FormState, form: FormData): Promise<FormState> {
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
  let id: string;
  try {
    ({ id } = await startSandbox());
  } catch (error) {
    return { error: expectedError(error) };
  }
  redirect(`/backups/new?server=${encodeURIComponent(id)}`);
}

'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError } from '@/lib/core/errors.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import { StorageTargetInput } from '@/lib/targets/target-schema.ts';
import { deleteTarget, saveTarget } from '@/lib/targets/target-store.ts';
import { fieldErrors, type FormState } from './state.ts';

export interface TargetFormState extends FormState {
  /** The target saved after its probe (list, write, delete) went through. */
  saved?: { name: string; location: string };
}

const FIELDS = ['name', 'kind', 'location', 'endpoint', 'region', 'accessKeyId'] as const;

export async function addTargetAction(_: TargetFormState, form: FormData): Promise<TargetFormState> {
  await requireSession();
  const raw = Object.fromEntries([...FIELDS, 'secretAccessKey'].map((k) => [k, form.get(k) ?? undefined]));
  // Kept for the form after a refusal: never the secret.
  const values = Object.fromEntries(FIELDS.map((k) => [k, typeof raw[k] === 'string' ? raw[k] : '']));
  const input = StorageTargetInput.safeParse(raw);
  if (!input.success) return { fieldErrors: fieldErrors(input.error), values };
  try {
    const saved = await saveTarget({ input: input.data });
    revalidatePath('/targets');
    return { ok: Date.now(), saved: { name: saved.name, location: saved.location } };
  } catch (error) {
    // A probe's STORAGE_* refusal is about the whole target; a refused field is shown at it.
    if (isParadumpError(error, 'BAD_OPTION') && typeof error.details.path === 'string') return { fieldErrors: { [error.details.path]: [String(error.details.problem ?? error.message)] }, values };
    if (isParadumpError(error, 'TARGET_NAME_TAKEN')) return { fieldErrors: { name: ['A storage target with that name is already saved'] }, values };
    return { error: expectedError(error), values };
  }
}

const TargetId = z.string().min(1);

export async function deleteTargetAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const id = TargetId.safeParse(form.get('targetId'));
  if (!id.success) return { error: { code: 'TARGET_NOT_FOUND', title: 'There is no such storage target', hint: '', detail: '' } };
  try {
    await deleteTarget({ id: id.data });
  } catch (error) {
    return { error: expectedError(error) };
  }
  revalidatePath('/targets');
  return { ok: Date.now() };
}

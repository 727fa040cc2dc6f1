'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError, ParadumpError, type ErrorCode } from '@/lib/core/errors.ts';
import { planFieldErrors, planInputFromForm, type FormValues } from '@/lib/plans/plan-form.ts';
import { runPlanNow } from '@/lib/plans/plan-service.ts';
import { deletePlan, savePlan, setPlanPaused } from '@/lib/plans/plan-store.ts';
import { sendPlanAlert } from '@/lib/plans/send-plan-alert.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import type { FormState } from './state.ts';

const SECRET_FIELDS = new Set(['webhookSecret', 'smtpPassword']);

/** The form's fields, lists kept as lists; secrets never sent back to the browser. */
function formValues(form: FormData): FormValues {
  const out: FormValues = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$')) continue;
    const all = form.getAll(key).map(String);
    out[key] = all.length > 1 ? all : (all[0] ?? '');
  }
  return out;
}

const shown = (values: FormValues) => Object.fromEntries(Object.entries(values).filter(([k]) => !SECRET_FIELDS.has(k)));

export async function savePlanAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const values = formValues(form);
  const id = typeof values.planId === 'string' && values.planId ? values.planId : undefined;
  let saved: { id: string };
  try {
    saved = await savePlan({ id, input: planInputFromForm(values) });
  } catch (error) {
    if (isParadumpError(error) && Array.isArray(error.details.issues)) {
      return { fieldErrors: planFieldErrors(error.details.issues as { path: string; message: string }[]), values: shown(values) };
    }
    // An unreadable key file, or one holding no key: its words (by code) at the key file field.
    if (isParadumpError(error) && error.details.path === 'dump.encryptKeyFile') {
      const words = expectedError(error);
      return { fieldErrors: { encryptKeyFile: [`${words.title}. ${words.hint}`] }, values: shown(values) };
    }
    if (isParadumpError(error) && typeof error.details.path === 'string') {
      return { fieldErrors: planFieldErrors([{ path: error.details.path, message: error.message.replace(/^[^:]+: /, '') }]), values: shown(values) };
    }
    return { error: expectedError(error), values: shown(values) };
  }
  revalidatePath('/plans');
  redirect(`/plans/${encodeURIComponent(saved.id)}`);
}

const PlanId = z.string().min(1);

async function planAction(form: FormData, work: (id: string) => Promise<unknown>): Promise<FormState> {
  await requireSession();
  const id = PlanId.safeParse(form.get('planId'));
  if (!id.success) return { error: { code: 'PLAN_NOT_FOUND', title: 'There is no such plan', hint: '', detail: '' } };
  try {
    await work(id.data);
  } catch (error) {
    return { error: expectedError(error) };
  }
  revalidatePath(`/plans/${id.data}`);
  revalidatePath('/plans');
  return { ok: Date.now() };
}

export async function runPlanNowAction(_: FormState, form: FormData): Promise<FormState> {
  return planAction(form, (id) => runPlanNow({ id }));
}

export async function pausePlanAction(_: FormState, form: FormData): Promise<FormState> {
  return planAction(form, (id) => setPlanPaused({ id, paused: form.get('paused') === 'true' }));
}

export async function testAlertAction(_: FormState, form: FormData): Promise<FormState> {
  return planAction(form, async (id) => {
    const results = await sendPlanAlert({ planId: id, type: 'test' });
    const failed = results.find((r) => !r.ok);
    // Every attempt is in the plan log already; the form shows the first channel that failed.
    if (failed) throw new ParadumpError((failed.code ?? 'INTERNAL') as ErrorCode, failed.message);
  });
}

export async function deletePlanAction(_: FormState, form: FormData): Promise<FormState> {
  const reply = await planAction(form, (id) => deletePlan({ id }));
  if (reply.error) return reply;
  redirect('/plans');
}

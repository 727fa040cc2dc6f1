'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireSession } from '@/lib/auth/require-session.ts';
import { isParadumpError } from '@/lib/core/errors.ts';
import { drillFieldErrors, drillInputFromForm } from '@/lib/drills/drill-form.ts';
import { cancelDrill, runDrillNow } from '@/lib/drills/drill-service.ts';
import { saveDrillPolicy } from '@/lib/drills/drill-store.ts';
import type { FormValues } from '@/lib/plans/plan-form.ts';
import { expectedError } from '@/lib/runs/errors.ts';
import type { FormState } from './state.ts';

const PlanId = z.object({ planId: z.string().min(1) });
const DrillId = PlanId.extend({ drillId: z.string().min(1) });
const NO_PLAN = { error: { code: 'PLAN_NOT_FOUND', title: 'There is no such plan', hint: '', detail: '' } };

function formValues(form: FormData): FormValues {
  const out: FormValues = {};
  for (const key of new Set(form.keys())) if (!key.startsWith('$')) out[key] = String(form.get(key) ?? '');
  return out;
}

function done(planId: string): FormState {
  revalidatePath(`/plans/${planId}`);
  revalidatePath('/');
  return { ok: Date.now() };
}

/** Saves the plan's drill policy (DrillPolicy parses it in lib/drills); refusals shown at their fields. */
export async function saveDrillPolicyAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const ids = PlanId.safeParse(Object.fromEntries(form));
  if (!ids.success) return NO_PLAN;
  const values = formValues(form);
  try {
    await saveDrillPolicy({ planId: ids.data.planId, input: drillInputFromForm(values) });
  } catch (error) {
    if (isParadumpError(error) && Array.isArray(error.details.issues)) return { fieldErrors: drillFieldErrors(error.details.issues as { path: string; message: string }[]), values };
    if (isParadumpError(error) && typeof error.details.path === 'string') return { fieldErrors: drillFieldErrors([{ path: error.details.path, message: error.message.replace(/^[^:]+: /, '') }]), values };
    return { error: expectedError(error), values };
  }
  return done(ids.data.planId);
}

export async function runDrillNowAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const ids = PlanId.safeParse(Object.fromEntries(form));
  if (!ids.success) return NO_PLAN;
  try {
    await runDrillNow({ planId: ids.data.planId });
  } catch (error) {
    return { error: expectedError(error) };
  }
  return done(ids.data.planId);
}

export async function cancelDrillAction(_: FormState, form: FormData): Promise<FormState> {
  await requireSession();
  const ids = DrillId.safeParse(Object.fromEntries(form));
  if (!ids.success) return NO_PLAN;
  try {
    await cancelDrill({ id: ids.data.drillId });
  } catch (error) {
    return { error: expectedError(error) };
  }
  return done(ids.data.planId);
}

import type { z } from 'zod';

/** What a form's server action answers with: field errors, or one error in the dashboard's words. */
export interface FormState {
  fieldErrors?: Record<string, string[] | undefined>;
  error?: { code: string; title: string; hint: string; detail: string };
  /** The submitted text values, so the form keeps them after a refusal (never the password). */
  values?: Record<string, string | string[]>;
  /** Set when the action did what it was asked (a fresh value each time, so effects can follow it). */
  ok?: number;
}

export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

import type { FormState } from '../_actions/state.ts';

/**
 * What a form's field groups need of the action's last answer: the errors per field and the values
 * it sent back, so each group (in its own file) fills itself in after a refusal.
 */
export interface SentBack {
  errors: Record<string, string[] | undefined>;
  /** The text the field was submitted with, or `fallback` when it was not (a first render). */
  text(name: string, fallback: string): string;
  /** The values a group of checkboxes was submitted with, or null when it was not. */
  list(name: string): string[] | null;
}

export function sentBack(state: FormState): SentBack {
  const values = state.values ?? {};
  return {
    errors: state.fieldErrors ?? {},
    text: (name, fallback) => {
      const value = values[name];
      return typeof value === 'string' ? value : fallback;
    },
    list: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value : null;
    },
  };
}

import type { FormState } from '../_actions/state.ts';

/**
 * What a form's field groups read: the values to show (saved ones overlaid with what a refused
 * submit sent back) and the errors per field, so each group (in its own file) fills itself in.
 */
export interface FormValues {
  errors: Record<string, string[] | undefined>;
  /** The field's text, or `fallback` when there is none (a first render). */
  text(name: string, fallback?: string): string;
  /** The values a group of checkboxes holds, or null when it holds none. */
  list(name: string): string[] | null;
  /** A checkbox's value: the form sends `on` for a ticked box. */
  checked(name: string): boolean;
}

export function formValues(values: Record<string, string | string[]>, errors: Record<string, string[] | undefined>): FormValues {
  const text = (name: string, fallback = '') => {
    const value = values[name];
    return typeof value === 'string' ? value : fallback;
  };
  return {
    errors,
    text,
    list: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value : null;
    },
    checked: (name) => text(name) === 'on',
  };
}

/** The values and errors the action's last answer sent back. */
export function sentBack(state: FormState): FormValues {
  return formValues(state.values ?? {}, state.fieldErrors ?? {});
}

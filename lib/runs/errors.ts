import { isParadumpError } from '../core/errors.ts';
import { describeError } from './error-words.ts';

export { describeError, type ErrorWords } from './error-words.ts';

/** The code of any error the dashboard expects; INTERNAL for the rest. */
export function errorCode(error: unknown): string {
  if (isParadumpError(error)) return error.code;
  return 'INTERNAL';
}

/** Expected failures are values: `{ code, title, hint }` for an action's reply. Unexpected ones are rethrown. */
export function expectedError(error: unknown): { code: string; title: string; hint: string; detail: string } {
  const code = errorCode(error);
  if (code === 'INTERNAL') throw error;
  const words = describeError(code);
  return { code, title: words.title, hint: words.hint, detail: error instanceof Error ? error.message : String(error) };
}

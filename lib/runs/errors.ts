import { isParadumpError } from '../engine/errors.ts';
import { SandboxError } from '../sandbox/throwaway-server.ts';
import { describeError } from './error-words.ts';

export { describeError, type ErrorWords } from './error-words.ts';

/** The dashboard's own refusals. Callers branch on `code`; `describeError` turns any code into words. */
export const RUN_ERROR_CODES = [
  'RUN_NOT_FOUND',
  'SERVER_NOT_FOUND',
  'SERVER_NAME_TAKEN',
  'NOT_RUNNING',
  'NOT_RESUMABLE',
  'ALREADY_RUNNING',
  'NO_MANIFEST',
  'MANIFEST_NOT_YET',
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_FAILED',
] as const;
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];

export class RunError extends Error {
  readonly code: RunErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: RunErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isRunError(error: unknown, code?: RunErrorCode): error is RunError {
  return error instanceof RunError && (code === undefined || error.code === code);
}

/** The code of any error the dashboard expects; INTERNAL for the rest. */
export function errorCode(error: unknown): string {
  if (isRunError(error) || isParadumpError(error)) return error.code;
  if (error instanceof SandboxError) return error.code === 'BINARY_MISSING' || error.code === 'NO_MYSQL_USER' ? 'SANDBOX_UNAVAILABLE' : 'SANDBOX_FAILED';
  return 'INTERNAL';
}

/** Expected failures are values: `{ code, title, hint }` for an action's reply. Unexpected ones are rethrown. */
export function expectedError(error: unknown): { code: string; title: string; hint: string; detail: string } {
  const code = errorCode(error);
  if (code === 'INTERNAL') throw error;
  const words = describeError(code);
  return { code, title: words.title, hint: words.hint, detail: error instanceof Error ? error.message : String(error) };
}

/**
 * The store's error type. Callers branch on `code`, never on message text. Codes follow Prisma's
 * own refusals where one exists (P3005 → STORE_NOT_EMPTY, P3009 → MIGRATION_FAILED).
 */
export const STORE_ERROR_CODES = [
  'BAD_DATABASE_URL',
  'MIGRATIONS_NOT_FOUND',
  'MIGRATION_PROVIDER_MISMATCH',
  'STORE_NOT_EMPTY',
  'MIGRATION_FAILED',
  'MIGRATION_MODIFIED',
  'MIGRATION_MISSING',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

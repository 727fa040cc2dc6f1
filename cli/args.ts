/** Helpers every command's argument parsing shares. */

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

export function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

export function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

/**
 * A server URI from the flag or an environment variable; a password missing from the URI comes
 * from `passwordEnv`, so it need not appear in the process list.
 */
export function serverUri(flag: string, value: string | undefined, env: { uri: string; password: string }): string {
  const uri = value ?? process.env[env.uri];
  if (!uri) throw new UsageError(`--${flag} is required (mysql://user:password@host:port)`);
  const password = process.env[env.password];
  if (!password) return uri;
  try {
    const url = new URL(uri);
    if (url.password) return uri;
    url.password = encodeURIComponent(password);
    return url.toString().replace(/\/$/, '');
  } catch {
    return uri;
  }
}

/** Runs `work` with SIGINT/SIGTERM turned into an AbortSignal (the engine stops cleanly). */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DumpRequest } from './dump-options.ts';
import { ParadumpError } from './errors.ts';
import { insideDir, writeFileAtomic } from './write-file-atomic.ts';

/**
 * What a dump was asked for, written (temp + fsync + rename) into the dump directory before the dump
 * connects or plans anything, so a dump killed at any point — its first second included — is resumed
 * with what was asked, never with the resuming command's defaults.
 */
export const REQUEST_FILE = 'dump-request.json';

export const DumpRequestFile = z.object({
  format: z.literal('paradump-request'),
  version: z.literal(1),
  requestedAt: z.string(),
  /** Where from, for the record (a resume names its source again; credentials are never written). */
  source: z.object({ host: z.string(), port: z.number().int() }),
  options: DumpRequest,
  /** An encrypted dump's key id (never the key): a resume must be given the same key. */
  encryption: z.object({ algorithm: z.literal('aes-256-gcm'), keyId: z.string().regex(/^[0-9a-f]{16}$/) }).nullable().default(null),
});
export type DumpRequestFile = z.infer<typeof DumpRequestFile>;

export async function writeDumpRequest(outDir: string, request: Omit<z.input<typeof DumpRequestFile>, 'format' | 'version'>): Promise<void> {
  const file = DumpRequestFile.parse({ format: 'paradump-request', version: 1, ...request });
  await writeFileAtomic(outDir, REQUEST_FILE, JSON.stringify(file, null, 2) + '\n');
}

/** Null when the directory has none (a dump killed before it wrote it, or one older than the file). */
export async function readDumpRequest(outDir: string): Promise<DumpRequestFile | null> {
  let text: string;
  try {
    text = await readFile(insideDir(outDir, REQUEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = DumpRequestFile.safeParse(json);
  if (!parsed.success) throw new ParadumpError('MANIFEST_INVALID', `${REQUEST_FILE} in ${outDir} is not a paradump dump request: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Options a resume may change: how hard and how long it works, not what it dumps or how it writes it. */
export const RESUME_MAY_CHANGE = ['threads', 'lockWaitTimeout', 'killLongQueries', 'maxRate', 'maxThreadsRunning'] as const satisfies readonly (keyof DumpRequest)[];

const sameValue = (a: unknown, b: unknown): boolean => {
  // Name lists are sets: `--databases b,a` asks for what `a,b` asked for.
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
};

/**
 * The options a resume runs with: the saved request, with the few options a resume may change taken
 * from `given`. An option given explicitly (a key of `given` that is not undefined) that differs from
 * the saved request is refused: BAD_OPTION naming it (`details.path`, `details.reason`
 * RESUME_CONTRADICTS), so a resume never dumps something other than what was asked.
 */
export function resumedRequest(saved: DumpRequest, given: Partial<Record<keyof DumpRequest, unknown>>): DumpRequest {
  const merged: DumpRequest = { ...saved };
  for (const key of Object.keys(DumpRequest.shape) as (keyof DumpRequest)[]) {
    const value = given[key];
    if (value === undefined) continue;
    if ((RESUME_MAY_CHANGE as readonly string[]).includes(key)) {
      (merged as Record<string, unknown>)[key] = value;
      continue;
    }
    if (sameValue(value, saved[key])) continue;
    const show = (v: unknown) => (v === undefined ? 'not set' : Array.isArray(v) ? (v.length ? v.join(',') : 'none (everything)') : String(v));
    const problem = `the interrupted dump was asked for ${show(saved[key])}, this resume for ${show(value)}: a resume dumps what was asked; leave it out (or run a new dump)`;
    throw new ParadumpError('BAD_OPTION', `${key}: ${problem}`, { details: { path: key, problem, reason: 'RESUME_CONTRADICTS', saved: saved[key] ?? null, given: value } });
  }
  return DumpRequest.parse(merged);
}

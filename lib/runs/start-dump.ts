import path from 'node:path';
import { z } from 'zod';
import { badOption, ParadumpError } from '../core/errors.ts';
import { checkThreadsRunningLimit, DumpRequest, type DataFormat } from '../core/dump-options.ts';
import { DumpOptions } from '../engine/options.ts';
import { getPrisma } from '../store/prisma.ts';
import { claimOutDir } from './claim-out-dir.ts';
import { confineDumpDir, dumpRoot } from './dump-root.ts';
import { engineOptions, KeyFilePath, keyIdOfFile } from './key-file.ts';
import './run-attempt.ts';
import { runExecutor } from './run-executor.ts';
import { serverAddress } from './servers.ts';
import { StoredDumpOptions } from './schemas.ts';

const QUALIFIED = /^[^.]+\..+$/;

/** The throttle fields as forms send them: empty means unthrottled; bounds and suffixes are the engine's (MaxRate). */
export const ThrottleFields = z.object({
  maxRate: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  maxThreadsRunning: z.preprocess((v) => (v === '' || v == null ? undefined : v), z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).optional()),
});

/** The new-backup form, as the server action hands it over. */
export const StartDumpInput = DumpRequest.pick({ databases: true, lock: true, compress: true, format: true, users: true })
  .extend({
    serverId: z.string().min(1, { error: 'Pick a server' }),
    tables: z.array(z.string().regex(QUALIFIED, { error: 'Tables are named database.table' })).default([]),
    // Form fields arrive as text; the words are the form's, the bounds the engine's.
    threads: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 64' }).max(64, { error: 'From 1 to 64' }).default(4),
    chunkRows: z.coerce
      .number({ error: 'Enter a number' })
      .int({ error: 'Enter a whole number' })
      .min(100, { error: 'At least 100 rows' })
      .max(100_000_000, { error: 'At most 100,000,000 rows' })
      .default(100_000),
    ...ThrottleFields.shape,
    outDir: z
      .string()
      .trim()
      .max(4096)
      .optional()
      .transform((v) => (v ? v : undefined)),
    /** Encrypt with this key file, a path on the server that runs the dump (read now and at each attempt; only the path is stored). */
    encryptKeyFile: KeyFilePath,
  })
  .refine((d) => d.databases.length + d.tables.length > 0, { path: ['databases'], error: 'Pick at least one database or table' });
export type StartDumpInput = z.input<typeof StartDumpInput>;

/** Where dumps go when the form leaves the output location empty (inside the dump root). */
export function defaultDumpRoot(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PARADUMP_DUMPS_DIR || dumpRoot());
}

export function suggestOutDir({ serverName, now = new Date() }: { serverName: string; now?: Date }): string {
  const slug = serverName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'server';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return path.join(defaultDumpRoot(), `${slug}-${stamp}`);
}

/**
 * Saves a new dump run (queued, attempt 0) and submits it: in this process it is running when this
 * resolves; with workers it is queued. `finished` settles when it has ended, wherever it ran.
 */
export async function startDump(
  input: Omit<z.output<typeof StartDumpInput>, 'format' | 'maxRate'> & {
    format?: DataFormat | undefined;
    maxRate?: string | number | undefined;
    excludeTables?: string[] | undefined;
    lockWaitTimeout?: number | undefined;
    /** A backup plan's run: the plan, and the cron slot it is for (null for "run now"). */
    plan?: { id: string; scheduledFor: Date | null } | undefined;
  },
): Promise<{ id: string; finished: Promise<void> }> {
  const { server, uri } = await serverAddress({ id: input.serverId });
  // Confined to the dump root before anything connects or is saved: a path outside is a form error.
  const confined = await confineDumpDir({ requested: input.outDir ?? suggestOutDir({ serverName: server.name }) });
  // The key file read and parsed before anything is saved: a missing or bad one is its field's error.
  const encryption = input.encryptKeyFile ? { keyFile: input.encryptKeyFile, keyId: await keyIdOfFile({ keyFile: input.encryptKeyFile, field: 'encryptKeyFile' }) } : undefined;
  const options = StoredDumpOptions.parse({
    databases: input.databases,
    // A table of a database picked whole is dumped anyway.
    tables: input.tables.filter((t) => !input.databases.includes(t.slice(0, t.indexOf('.')))),
    excludeTables: input.excludeTables ?? [],
    threads: input.threads,
    chunkRows: input.chunkRows,
    compress: input.compress,
    format: input.format ?? 'sql',
    lock: input.lock,
    lockWaitTimeout: input.lockWaitTimeout,
    // The form names databases, so accounts are dumped only when ticked.
    ...(input.users ? { users: true } : {}),
    maxRate: input.maxRate,
    maxThreadsRunning: input.maxThreadsRunning,
    encryption,
  });
  checkThreadsRunningLimit(options);
  // The engine's own validation, before anything is saved: a refusal is a form error, not a failed run.
  const checked = DumpOptions.safeParse({ source: uri, outDir: confined, ...engineOptions(options) });
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw badOption(issue.path.join('.'), issue.message);
  }
  const databases = [...new Set([...options.databases, ...options.tables.map((t) => t.slice(0, t.indexOf('.')))])];
  const { outDir, release } = await claimOutDir({ outDir: confined, suggested: input.outDir === undefined });
  const run = await getPrisma()
    .run.create({
      data: { kind: 'dump', status: 'queued', attempt: 0, options: JSON.stringify(options), outDir, serverId: server.id, databases: JSON.stringify(databases), planId: input.plan?.id ?? null, scheduledFor: input.plan?.scheduledFor ?? null },
      select: { id: true },
    })
    .finally(release);
  const { finished } = await runExecutor()
    .submit({ kind: 'dump', id: run.id, serverId: server.id, attempt: 0, priority: input.plan?.scheduledFor ? 'scheduled' : 'manual' })
    .catch(async (error: unknown) => {
      // Never started (the queue is down, the server's key is lost): the run says so, not `queued` for ever.
      const code = error instanceof ParadumpError ? error.code : 'INTERNAL';
      await getPrisma().run.updateMany({ where: { id: run.id, status: 'queued', attempt: 0 }, data: { status: 'failed', finishedAt: new Date(), errorCode: code, errorMessage: error instanceof Error ? error.message : String(error) } });
      throw error;
    });
  return { id: run.id, finished };
}


import { z } from 'zod';
import { ParadumpError, isParadumpError } from '../engine/errors.ts';
import { RestoreOptions } from '../restore/options.ts';
import { restore } from '../restore/restore.ts';
import { selectFromManifest } from '../restore/select.ts';
import { verify } from '../restore/verify.ts';
import { confineDumpDir } from './dump-root.ts';
import { getPrisma } from '../store/prisma.ts';
import { log } from './dump-deltas.ts';
import { loadRunState } from './load-run-state.ts';
import { readRunManifest } from './read-run-manifest.ts';
import { addLiveRun, LiveRun, removeLiveRun } from './registry.ts';
import { restoreEventToDeltas, verifyEventToDeltas } from './restore-deltas.ts';
import { StoredRestoreOptions, type RunState, type TableView } from './schemas.ts';
import { serverAddress } from './servers.ts';

const DatabaseName = z
  .string()
  .trim()
  .min(1, { error: 'Enter a database name' })
  .max(64, { error: 'At most 64 characters' })
  .regex(/^[^/\\.\s`]+$/, { error: 'No dots, slashes, backticks or spaces' });

/** The restore form, as the server action hands it over. */
export const StartRestoreInput = z.object({
  sourceRunId: z.string().min(1),
  targetServerId: z.string().min(1, { error: 'Pick the server to restore into' }),
  /** Target name per dumped database (same name = no rename). */
  rename: z.record(z.string(), DatabaseName).default({}),
  /** Source `db.table` names; empty = everything in the dump (with views, routines, triggers, events). */
  tables: z.array(z.string().regex(/^[^.]+\..+$/)).default([]),
  threads: z.coerce.number({ error: 'Enter a number' }).int({ error: 'Enter a whole number' }).min(1, { error: 'From 1 to 64' }).max(64, { error: 'From 1 to 64' }).default(4),
  verify: z.boolean().default(true),
  dropExisting: z.boolean().default(false),
});
export type StartRestoreInput = z.input<typeof StartRestoreInput>;

/**
 * Restores a finished dump run into a saved server as a new `restore` run, in the background: the
 * same live page (the chunk map fills in as chunks load), then a verification per table.
 */
export async function startRestore(input: z.output<typeof StartRestoreInput>): Promise<{ id: string }> {
  const { manifest, outDir: recorded } = await readRunManifest({ id: input.sourceRunId });
  // Only dumps inside the dump root are restored from, whatever a run row says.
  const outDir = await confineDumpDir({ requested: recorded, field: 'sourceRunId' });
  const { server, uri, address } = await serverAddress({ id: input.targetServerId });
  const rename = Object.fromEntries(Object.entries(input.rename).filter(([from, to]) => to !== from));
  const everything = manifest.tables.filter((t) => !t.skipped).map((t) => `${t.database}.${t.table}`);
  const tables = input.tables.length === 0 || everything.every((t) => input.tables.includes(t)) ? [] : input.tables;
  const options = StoredRestoreOptions.parse({ rename, tables, threads: input.threads, verify: input.verify, dropExisting: input.dropExisting });
  const restoreInput = { from: outDir, target: uri, tls: address.tls, rename, tables, threads: options.threads, dropExisting: options.dropExisting };
  // Refusals (unknown names, bad options) before anything is saved: they are form errors.
  const checked = RestoreOptions.safeParse(restoreInput);
  if (!checked.success) throw new ParadumpError('BAD_OPTION', checked.error.issues[0]?.message ?? 'invalid restore options');
  const selection = selectFromManifest({ manifest, rename, databases: [], tables, objects: tables.length === 0 });

  const run = await getPrisma().run.create({
    data: {
      kind: 'restore',
      status: 'running',
      options: JSON.stringify(options),
      outDir,
      serverId: server.id,
      sourceRunId: input.sourceRunId,
      databases: JSON.stringify(selection.databases.map((d) => d.targetDatabase)),
      sourceVersion: `${manifest.source.flavor} ${manifest.source.version}`,
    },
    select: { id: true },
  });
  const state = await loadRunState({ id: run.id });
  const live = new LiveRun({ state, knownTables: [] });
  addLiveRun(live);
  live.start();
  for (const t of selection.tables) {
    const table: TableView = {
      database: t.record.database,
      table: t.record.table,
      targetDatabase: t.targetDatabase,
      chunkKey: t.record.chunkKey,
      rowsEstimate: t.record.rows,
      bytesEstimate: t.record.bytes,
      status: 'planned',
      skip: null,
      chunks: t.chunks.map((c) => ({ index: c.index, lower: c.lower, upper: c.upper, state: 'pending', rows: 0, bytes: 0, sha256: c.sha256, durationMs: null, worker: null })),
    };
    live.publish({ type: 'table', table });
  }
  live.publish({ type: 'estimate', rows: selection.tables.reduce((a, t) => a + t.record.rows, 0), bytes: selection.tables.reduce((a, t) => a + t.record.bytes, 0), tables: selection.tables.length });
  void runRestore({ live, restoreInput, verifyAfter: options.verify });
  return run;
}

async function runRestore({ live, restoreInput, verifyAfter }: { live: LiveRun; restoreInput: z.input<typeof RestoreOptions> & { from: string; target: string }; verifyAfter: boolean }): Promise<void> {
  const signal = live.controller.signal;
  let status: RunState['status'] = 'succeeded';
  let error: { code: string; message: string } | null = null;
  try {
    await restore(restoreInput, { signal, onEvent: (event) => restoreEventToDeltas({ state: live.state, event }).forEach((d) => live.publish(d)) });
    if (verifyAfter) {
      const report = await verify(
        { from: restoreInput.from, target: restoreInput.target, tls: restoreInput.tls, rename: restoreInput.rename, tables: restoreInput.tables, threads: restoreInput.threads },
        { signal, onEvent: (event) => verifyEventToDeltas({ event }).forEach((d) => live.publish(d)) },
      );
      if (!report.ok) {
        status = 'failed';
        error = { code: 'VERIFY_MISMATCH', message: `${report.mismatched} of ${report.chunks} chunks differ from the dump` };
      }
    }
  } catch (failure) {
    if (isParadumpError(failure, 'ABORTED')) {
      status = 'cancelled';
      error = { code: 'ABORTED', message: failure.message };
    } else if (isParadumpError(failure)) {
      status = 'failed';
      error = { code: failure.code, message: failure.message };
    } else {
      console.error(`paradump: restore run ${live.runId} failed unexpectedly`, failure);
      status = 'failed';
      error = { code: 'INTERNAL', message: failure instanceof Error ? failure.message : String(failure) };
      live.publish(log(new Date().toISOString(), 'error', 'INTERNAL', error.message));
    }
  }
  try {
    live.sample();
    live.publish({ type: 'status', status, attempt: live.state.attempt, error, finishedAt: new Date().toISOString(), hasManifest: false });
    await live.end();
  } catch (storeError) {
    console.error(`paradump: could not record the end of run ${live.runId}`, storeError);
  } finally {
    removeLiveRun(live);
  }
}

import { dump } from '../engine/dump.ts';
import { isParadumpError } from '../core/errors.ts';
import type { ConnectionTls } from '../mysql/tls.ts';
import type { RunState, StoredDumpOptions } from './schemas.ts';
import { addLiveRun, LiveRun, removeLiveRun } from './registry.ts';
import { dumpEventToDeltas, log } from './dump-deltas.ts';
import { engineOptions } from './key-file.ts';

/**
 * Runs the engine's dump for a run already in the store, in the background: events become state
 * changes (persisted in batches, streamed to browsers), the end becomes a status. Returns the live run.
 */
export function launchDump({ state, uri, tls, options, resume, knownTables }: { state: RunState; uri: string; tls: ConnectionTls; options: StoredDumpOptions; resume: boolean; knownTables: Iterable<string> }): LiveRun {
  const live = new LiveRun({ state, knownTables });
  addLiveRun(live);
  live.start();
  const attempt = state.attempt;

  const finish = async (status: RunState['status'], error: { code: string; message: string } | null) => {
    try {
      live.sample();
      live.publish({ type: 'status', status, attempt, error, finishedAt: new Date().toISOString(), hasManifest: status === 'succeeded' });
      await live.end();
    } catch (storeError) {
      console.error(`paradump: could not record the end of run ${state.id}`, storeError);
    } finally {
      removeLiveRun(live);
      // end() failed before settling: whoever waits on `finished` must still learn the run is over.
      if (!live.ended) live.abandon();
    }
  };

  void dump(
    {
      source: uri,
      tls,
      outDir: state.outDir,
      ...engineOptions(options),
      resume,
    },
    {
      signal: live.controller.signal,
      onEvent: (event) => {
        for (const delta of dumpEventToDeltas({ state: live.live, event, attempt })) live.publish(delta);
      },
    },
  ).then(
    () => finish('succeeded', null),
    (error: unknown) => {
      if (isParadumpError(error, 'ABORTED') && live.handedBack) return finish('interrupted', { code: 'HANDED_BACK', message: 'the worker was asked to stop and handed the run back to the queue' });
      if (isParadumpError(error, 'ABORTED')) return finish('cancelled', { code: 'ABORTED', message: error.message });
      if (isParadumpError(error)) return finish('failed', { code: error.code, message: error.message });
      console.error(`paradump: run ${state.id} failed unexpectedly`, error);
      live.publish(log(new Date().toISOString(), 'error', 'INTERNAL', error instanceof Error ? error.message : String(error)));
      return finish('failed', { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
    },
  );
  return live;
}

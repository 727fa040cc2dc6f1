import type { PitrEvent } from '../restore/events.ts';
import { log } from './dump-deltas.ts';
import type { PitrView, RunDelta } from './schemas.ts';

const count = new Intl.NumberFormat('en');
const n = (value: number) => count.format(value);

/** The roll forward before it starts: it waits for the load and the verification. */
export function waitingPitr(): PitrView {
  return { status: 'waiting', replayStarted: false, stop: null, replays: [], transactions: 0, startedAt: null, finishedAt: null, error: null, reason: null };
}

/** The changes one point-in-time event makes to a restore run's roll-forward phase (and its log). */
export function pitrEventToDeltas({ view, event, now = new Date() }: { view: PitrView; event: PitrEvent; now?: Date }): RunDelta[] {
  const at = now.toISOString();
  const replace = (changes: Partial<PitrView>): RunDelta => ({ type: 'pitr', pitr: { ...view, ...changes } });
  const replayOf = (database: string) => {
    // A database's tables may be replayed one by one (tables read in their own snapshots): the running one first.
    const i = view.replays.findIndex((r) => r.database === database && r.status === 'running');
    return i >= 0 ? i : view.replays.findIndex((r) => r.database === database && r.status === 'pending');
  };
  const withReplay = (database: string, change: (r: PitrView['replays'][number]) => PitrView['replays'][number]) => {
    const i = replayOf(database);
    return i < 0 ? view.replays : view.replays.map((r, j) => (j === i ? change(r) : r));
  };
  switch (event.type) {
    case 'plan':
      return [
        replace({
          stop: event.plan.stop.description,
          replays: event.plan.runs.map((r) => ({ database: r.database, targetDatabase: r.targetDatabase, status: 'pending', file: r.start.file, position: r.start.position, lastEventAt: null, transactions: 0, bytes: 0, durationMs: null })),
        }),
        log(at, 'info', null, `Rolling forward with the binary log of ${event.plan.source ?? 'the source'} up to ${event.plan.stop.description}`),
        ...event.plan.notes.map((note) => log(at, 'info', null, `Roll forward: ${note}`)),
      ];
    case 'replay-started':
      return [
        replace({ replayStarted: true, replays: withReplay(event.database, (r) => ({ ...r, status: 'running' })) }),
        log(at, 'info', null, `Replaying the binary log of ${event.database} into ${event.targetDatabase}`),
      ];
    case 'replay-progress':
      return [
        replace({
          replays: withReplay(event.database, (r) => ({
            ...r,
            file: event.file,
            // The reader prints positions from the first event it passes on: keep the start until then.
            position: event.position > 0 ? event.position : r.position,
            lastEventAt: event.lastEventAt ?? r.lastEventAt,
            transactions: event.transactions,
            bytes: event.bytes,
          })),
        }),
      ];
    case 'replay-finished': {
      const replays = withReplay(event.database, (r) => ({ ...r, status: 'done', transactions: event.transactions, bytes: event.bytes, durationMs: event.durationMs }));
      return [
        replace({ replays, transactions: replays.reduce((a, r) => a + r.transactions, 0) }),
        log(at, 'info', null, `Replayed ${n(event.transactions)} transactions of ${event.database} into ${event.targetDatabase}`),
      ];
    }
    case 'warning':
      return [log(at, 'warning', event.code, `Roll forward: ${event.message}`)];
    case 'run-finished':
      return [
        replace({ status: 'succeeded', transactions: event.transactions, finishedAt: event.at }),
        log(at, 'info', null, `Rolled forward: ${n(event.transactions)} transactions read from the binary log up to ${view.stop ?? 'the stop point'}`),
      ];
    case 'run-failed':
      return [
        replace({ status: event.code === 'ABORTED' ? 'cancelled' : 'failed', error: { code: event.code, message: event.message }, finishedAt: event.at }),
        log(at, event.code === 'ABORTED' ? 'info' : 'error', event.code, `Roll forward: ${event.message}`),
      ];
  }
}

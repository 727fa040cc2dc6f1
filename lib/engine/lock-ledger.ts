import type { DumpEventListener } from './events.ts';
import type { LockRecord } from '../core/manifest.ts';

/**
 * Records every lock the engine takes: when it was asked for, got, let go, and so how long writers
 * waited behind it. The manifest's `locks` and the lock-* events come from here.
 */
export class LockLedger {
  readonly records: LockRecord[] = [];
  private readonly emit: DumpEventListener;
  private next = 0;

  constructor(emit: DumpEventListener) {
    this.emit = emit;
  }

  request(scope: LockRecord['scope'], target: string | null, statement: string, blocks: string): LockHandle {
    const record: LockRecord = {
      id: `L${++this.next}`,
      scope,
      target,
      statement,
      blocks,
      requestedAt: new Date().toISOString(),
      acquiredAt: null,
      releasedAt: null,
      waitMs: null,
      holdMs: null,
    };
    this.records.push(record);
    this.emit({ type: 'lock-requested', lock: { ...record } });
    return new LockHandle(record, performance.now(), this.emit);
  }
}

export class LockHandle {
  private acquiredTick: number | null = null;

  constructor(
    readonly record: LockRecord,
    private readonly requestedTick: number,
    private readonly emit: DumpEventListener,
  ) {}

  acquired(): void {
    this.acquiredTick = performance.now();
    this.record.acquiredAt = new Date().toISOString();
    this.record.waitMs = round(this.acquiredTick - this.requestedTick);
    this.emit({ type: 'lock-acquired', lock: { ...this.record } });
  }

  /** Also called for a lock that was never acquired (gave up): it then has no hold time. */
  released(): void {
    if (this.record.releasedAt !== null) return;
    const now = performance.now();
    this.record.releasedAt = new Date().toISOString();
    if (this.acquiredTick !== null) this.record.holdMs = round(now - this.acquiredTick);
    else this.record.waitMs = round(now - this.requestedTick);
    this.emit({ type: 'lock-released', lock: { ...this.record } });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

import type { RunState } from './schemas.ts';

/** A dump run that has just started: nothing planned, no locks, no log (for unit tests). */
export function startedRunState(overrides: Partial<RunState> = {}): RunState {
  return {
    id: 'r1',
    kind: 'dump',
    status: 'running',
    attempt: 1,
    server: null,
    sourceVersion: null,
    outDir: '/tmp/x',
    options: null,
    databases: ['shop'],
    startedAt: '2026-11-24T10:00:00.000Z',
    finishedAt: null,
    error: null,
    estimate: null,
    tables: [],
    locks: [],
    snapshots: [],
    log: [],
    samples: [],
    hasManifest: false,
    sourceRunId: null,
    restoreOptions: null,
    verification: [],
    pitr: null,
    ...overrides,
  };
}

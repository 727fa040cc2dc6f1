import { describe, expect, it } from 'vitest';
import type { Manifest } from '../core/manifest.ts';
import { parseStopPoint } from '../restore/options.ts';
import { canResume, whyNotResumable } from './can-resume.ts';
import { describePitrTarget, normalizeDatetime, pitrAvailability, PitrTargetInput } from './pitr-target.ts';
import { StartRestoreInput } from './start-restore.ts';

const messageOf = (input: unknown) => {
  const r = PitrTargetInput.safeParse(input);
  return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the point-in-time target of the restore form', () => {
  it('is off unless asked, and "end" needs no value', () => {
    expect(PitrTargetInput.parse({})).toBeNull();
    expect(PitrTargetInput.parse({ kind: 'none', value: 'whatever' })).toBeNull();
    expect(PitrTargetInput.parse({ kind: 'end' })).toEqual({ kind: 'end', value: '', until: 'end' });
    expect(StartRestoreInput.parse({ sourceRunId: 'r', targetServerId: 's' }).pitr).toBeNull();
  });

  it('takes a UTC datetime with or without seconds (a datetime-local input drops ":00") and refuses impossible ones', () => {
    expect(PitrTargetInput.parse({ kind: 'datetime', value: ' 2026-12-03T14:30 ' })).toEqual({ kind: 'datetime', value: '2026-12-03 14:30:00', until: '2026-12-03 14:30:00' });
    expect(PitrTargetInput.parse({ kind: 'datetime', value: '2026-12-03 14:30:05' })?.until).toBe('2026-12-03 14:30:05');
    expect(messageOf({ kind: 'datetime', value: '' })).toEqual(['value: Enter the date and time to stop at (UTC)']);
    expect(messageOf({ kind: 'datetime', value: '2026-02-30 10:00:00' })).toEqual(['value: That date and time does not exist']);
    expect(messageOf({ kind: 'datetime', value: '2026-12-03 25:00:00' })).toEqual(['value: That date and time does not exist']);
    expect(messageOf({ kind: 'datetime', value: 'yesterday' })).toEqual(['value: Enter a date and time like 2026-12-03 14:30:00 (UTC, whole seconds)']);
    expect(messageOf({ kind: 'datetime', value: '2026-12-03 14:30:00.5' })).toHaveLength(1);
    expect(normalizeDatetime('2024-02-29 00:00')).toBe('2024-02-29 00:00:00');
    expect(normalizeDatetime('2025-02-29 00:00')).toBeNull();
  });

  it('takes a binlog file:position and a MariaDB GTID list, with a message per mistake', () => {
    expect(PitrTargetInput.parse({ kind: 'position', value: 'binlog.000042:1234' })).toEqual({ kind: 'position', value: 'binlog.000042:1234', until: 'binlog.000042:1234' });
    expect(messageOf({ kind: 'position', value: 'binlog.000042' })).toEqual(['value: Enter a binlog file and position like binlog.000042:1234']);
    expect(messageOf({ kind: 'position', value: 'binlog.000042:99999999999999999999' })).toEqual(['value: That position is too large']);
    expect(messageOf({ kind: 'position', value: '' })).toEqual(['value: Enter the binlog file and position to stop at']);
    expect(PitrTargetInput.parse({ kind: 'gtid', value: '0-1-500, 1-2-7' })?.until).toBe('0-1-500,1-2-7');
    expect(messageOf({ kind: 'gtid', value: '0-1' })).toEqual(['value: Enter a MariaDB GTID like 0-1-500 (domain-server-sequence; several domains separated by commas)']);
    expect(messageOf({ kind: 'gtid', value: '0-1-5,0-2-7' })).toEqual(['value: Name each GTID domain once']);
    expect(messageOf({ kind: 'gtid', value: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5' })).toEqual(['value: MySQL GTID sets are not supported yet: stop at a binlog position or a date and time']);
    expect(messageOf({ kind: 'later' })).toEqual([expect.stringMatching(/^kind: /)]);
  });

  it('hands the engine stop points it accepts', () => {
    for (const input of [{ kind: 'end' }, { kind: 'datetime', value: '2026-12-03T14:30' }, { kind: 'position', value: 'mysql-bin.000003:4' }, { kind: 'gtid', value: '0-1-9' }]) {
      const target = PitrTargetInput.parse(input)!;
      expect(parseStopPoint(target.until).kind).toBe(target.kind);
      expect(describePitrTarget(target)).not.toBe('');
    }
  });
});

const manifestWith = (consistency: Partial<Manifest['consistency']>, snapshotsOfChunks: number[] = [0]): Manifest =>
  ({
    consistency: { mode: 'snapshot', snapshots: [{ id: 0, scope: 'instance', target: null, openedAt: '2026-12-03T00:00:00Z', binlog: { file: 'binlog.000001', position: 4 }, gtid: null }], ...consistency },
    tables: [{ database: 'shop', table: 'orders', skipped: null, chunks: snapshotsOfChunks.map((snapshot, index) => ({ index, snapshot })) }],
  }) as unknown as Manifest;

describe('whether a dump can be rolled forward', () => {
  const source = { name: 'prod' };
  it('needs binlog coordinates, one snapshot per table and the source server', () => {
    expect(pitrAvailability({ manifest: manifestWith({}), sourceServer: source })).toEqual({ available: true });
    expect(pitrAvailability({ manifest: manifestWith({ mode: 'none' }), sourceServer: source })).toMatchObject({ available: false, reason: expect.stringContaining('“no locks”') });
    const noBinlog = manifestWith({ snapshots: [{ id: 0, scope: 'instance', target: null, openedAt: '2026-12-03T00:00:00Z', binlog: null, gtid: null }] });
    expect(pitrAvailability({ manifest: noBinlog, sourceServer: source })).toMatchObject({ available: false, reason: expect.stringContaining('no binary log') });
    const resumed = manifestWith({ snapshots: [0, 1].map((id) => ({ id, scope: 'instance' as const, target: null, openedAt: '2026-12-03T00:00:00Z', binlog: { file: 'binlog.000001', position: 4 + id }, gtid: null })) }, [0, 1]);
    expect(pitrAvailability({ manifest: resumed, sourceServer: source })).toMatchObject({ available: false, reason: expect.stringContaining('shop.orders was read at two points in time') });
    expect(pitrAvailability({ manifest: manifestWith({}), sourceServer: null })).toMatchObject({ available: false, reason: expect.stringContaining('no longer saved') });
  });
});

describe('which stopped runs can be resumed', () => {
  it('offers Resume for stopped dumps without a manifest and stopped restores whose replay has not begun', () => {
    expect(canResume({ kind: 'dump', status: 'cancelled', hasManifest: false })).toBe(true);
    expect(canResume({ kind: 'dump', status: 'failed', hasManifest: true })).toBe(false);
    for (const status of ['cancelled', 'interrupted', 'failed'] as const) {
      expect(canResume({ kind: 'restore', status, hasManifest: false, error: { code: 'ABORTED' }, pitr: null })).toBe(true);
    }
    expect(canResume({ kind: 'restore', status: 'succeeded', hasManifest: false })).toBe(false);
    expect(canResume({ kind: 'restore', status: 'running', hasManifest: false })).toBe(false);
    expect(canResume({ kind: 'restore', status: 'failed', hasManifest: false, error: { code: 'TOOL_MISSING' }, pitr: { replayStarted: false } })).toBe(true);
    const replayed = { kind: 'restore', status: 'cancelled' as const, hasManifest: false, error: { code: 'ABORTED' }, pitr: { replayStarted: true } };
    // The target records how far the replay got: a resume continues from there.
    expect(canResume(replayed)).toBe(true);
    expect(whyNotResumable(replayed)).toBeNull();
    const twice = { ...replayed, error: { code: 'ALREADY_REPLAYED' } };
    expect(canResume(twice)).toBe(false);
    expect(whyNotResumable(twice)).toMatch(/rolled forward by an earlier restore/);
    const mismatch = { kind: 'restore', status: 'failed' as const, hasManifest: false, error: { code: 'VERIFY_MISMATCH' }, pitr: null };
    expect(canResume(mismatch)).toBe(false);
    expect(whyNotResumable(mismatch)).toMatch(/differ from the backup/);
    expect(whyNotResumable({ kind: 'restore', status: 'cancelled', error: { code: 'ABORTED' }, pitr: null })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { compareResult } from './compare-result.ts';
import { drillDue, drillHealth } from './drill-due.ts';
import { checkSqlProblem, DrillPolicy } from './drill-schema.ts';

const hourly = { cron: '0 * * * *', timeZone: 'UTC' };
const byBackups = (every: number) => DrillPolicy.parse({ trigger: { kind: 'backups', every }, target: { kind: 'throwaway' } });
const bySchedule = DrillPolicy.parse({ trigger: { kind: 'schedule', schedule: { cron: '0 4 * * *', timeZone: 'Europe/Paris' } }, target: { kind: 'throwaway' } });

describe('compareResult', () => {
  it('compares numbers exactly, as decimals', () => {
    expect(compareResult({ actual: '3000', compare: '=', expected: '3000.00' }).ok).toBe(true);
    expect(compareResult({ actual: '9007199254740993', compare: '>', expected: '9007199254740992' }).ok).toBe(true);
    expect(compareResult({ actual: '-2', compare: '<', expected: '-1.5' }).ok).toBe(true);
    expect(compareResult({ actual: '0', compare: '>', expected: '0' })).toEqual({ ok: false, why: 'got 0, expected > 0' });
    expect(compareResult({ actual: '-0.0', compare: '=', expected: '0' }).ok).toBe(true);
    expect(compareResult({ actual: '12', compare: '>=', expected: '9' }).ok).toBe(true);
  });

  it('compares text for = and != only; no value is a failure', () => {
    expect(compareResult({ actual: 'ok', compare: '=', expected: 'ok' }).ok).toBe(true);
    expect(compareResult({ actual: 'ok', compare: '!=', expected: 'ko' }).ok).toBe(true);
    expect(compareResult({ actual: 'b', compare: '>', expected: 'a' }).ok).toBe(false);
    expect(compareResult({ actual: null, compare: '=', expected: '0' }).ok).toBe(false);
  });
});

describe('checkSqlProblem', () => {
  it('takes one read-only query', () => {
    expect(checkSqlProblem('SELECT COUNT(*) FROM orders WHERE created_at > NOW() - INTERVAL 1 DAY;')).toBeNull();
    expect(checkSqlProblem('with t as (select 1 as n) select n from t')).toBeNull();
    expect(checkSqlProblem('DROP DATABASE shop')).not.toBeNull();
    expect(checkSqlProblem('SELECT 1; DROP DATABASE shop')).not.toBeNull();
    expect(checkSqlProblem("SELECT * FROM t INTO OUTFILE '/tmp/x'")).not.toBeNull();
    expect(checkSqlProblem('SELECT * FROM t FOR UPDATE')).not.toBeNull();
  });

  it('refuses a bad check in the policy, at its field', () => {
    const parsed = DrillPolicy.safeParse({ trigger: { kind: 'backups' }, target: { kind: 'throwaway' }, checks: [{ sql: 'DELETE FROM orders', expected: '1' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['checks', 0, 'sql']);
  });
});

describe('drillDue', () => {
  const createdAt = new Date('2026-12-01T00:00:00Z');
  it('after every Nth good backup', () => {
    expect(drillDue({ policy: byBackups(3), lastSlotAt: null, createdAt, goodBackupsSince: 2, now: new Date() })).toBeNull();
    expect(drillDue({ policy: byBackups(3), lastSlotAt: null, createdAt, goodBackupsSince: 3, now: new Date() })).not.toBeNull();
    expect(drillDue({ policy: { ...byBackups(1), enabled: false }, lastSlotAt: null, createdAt, goodBackupsSince: 5, now: new Date() })).toBeNull();
  });

  it('on its own schedule, missed slots folded into one', () => {
    expect(drillDue({ policy: bySchedule, lastSlotAt: null, createdAt, goodBackupsSince: 0, now: new Date('2026-12-01T02:00:00Z') })).toBeNull();
    // 04:00 Paris is 03:00 UTC in winter; three days missed: one drill.
    expect(drillDue({ policy: bySchedule, lastSlotAt: null, createdAt, goodBackupsSince: 0, now: new Date('2026-12-03T12:00:00Z') })).toEqual({ slot: new Date('2026-12-03T03:00:00Z'), missed: 2 });
  });
});

describe('drillHealth', () => {
  const createdAt = new Date('2026-12-01T00:00:00Z');
  const now = new Date('2026-12-01T05:00:00Z');
  it('is red when the last drill failed', () => {
    expect(drillHealth({ policy: byBackups(1), planSchedule: hourly, lastFinished: { status: 'failed' }, lastProvenAt: new Date('2026-12-01T04:30:00Z'), createdAt, now })).toEqual({ state: 'failed', red: true });
  });

  it('is red when the last proven restore is older than the policy means (N × the plan interval, plus a quarter)', () => {
    const base = { policy: byBackups(2), planSchedule: hourly, lastFinished: { status: 'succeeded' }, createdAt, now };
    expect(drillHealth({ ...base, lastProvenAt: new Date('2026-12-01T03:00:00Z') })).toEqual({ state: 'ok', red: false });
    expect(drillHealth({ ...base, lastProvenAt: new Date('2026-12-01T02:20:00Z') })).toEqual({ state: 'overdue', red: true });
    expect(drillHealth({ ...base, lastFinished: null, lastProvenAt: null, now: new Date('2026-12-01T01:00:00Z') })).toEqual({ state: 'never', red: false });
  });

  it('is not red when the policy is off', () => {
    expect(drillHealth({ policy: { ...bySchedule, enabled: false }, planSchedule: hourly, lastFinished: { status: 'failed' }, lastProvenAt: null, createdAt, now })).toEqual({ state: 'off', red: false });
  });
});

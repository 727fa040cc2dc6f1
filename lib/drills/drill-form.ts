import type { FormValues } from '../plans/plan-form.ts';
import type { DrillPolicy, DrillPolicyInput } from './drill-schema.ts';

/** Rows of checks the form offers (empty rows are no check). */
export const CHECK_ROWS = 3;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** The drill form's flat fields to the DrillPolicy schema's shape. */
export function drillInputFromForm(f: FormValues): DrillPolicyInput {
  const checks = [];
  for (let i = 0; i < CHECK_ROWS; i++) {
    const sql = one(f[`checkSql${i}`]).trim();
    const expected = one(f[`checkExpected${i}`]).trim();
    if (!sql && !expected) continue;
    checks.push({ name: one(f[`checkName${i}`]), database: one(f[`checkDatabase${i}`]), sql, compare: (one(f[`checkCompare${i}`]) || '=') as never, expected });
  }
  const trigger = one(f.trigger) === 'schedule' ? { kind: 'schedule' as const, schedule: { cron: one(f.drillCron), timeZone: one(f.drillTimeZone) } } : { kind: 'backups' as const, every: one(f.every) || '1' };
  const target = one(f.target) === 'throwaway' || one(f.target) === '' ? { kind: 'throwaway' as const } : { kind: 'server' as const, serverId: one(f.target) };
  return { enabled: one(f.enabled) === 'on', trigger: trigger as DrillPolicyInput['trigger'], target, prefix: one(f.prefix) || undefined, threads: one(f.drillThreads) || undefined, checks, rollForward: one(f.rollForward) === 'on' };
}

/** Form field names by schema path, so errors show at their input. */
export function drillFieldOf(path: string): string {
  const check = /^checks\.(\d+)\.(\w+)/.exec(path);
  if (check) return `check${check[2]![0]!.toUpperCase()}${check[2]!.slice(1)}${check[1]}`;
  const fields: Record<string, string> = { 'trigger.every': 'every', 'trigger.schedule.cron': 'drillCron', 'trigger.schedule.timeZone': 'drillTimeZone', 'target.serverId': 'target', threads: 'drillThreads' };
  return fields[path] ?? path.split('.')[0] ?? 'form';
}

export function drillFieldErrors(issues: { path: string; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) (out[drillFieldOf(issue.path)] ??= []).push(issue.message);
  return out;
}

/** A saved policy as the form's starting values; defaults for a plan without one. */
export function drillFormValues(policy: DrillPolicy | null): FormValues {
  if (!policy) return { enabled: 'on', trigger: 'backups', every: '1', drillCron: '0 4 * * *', drillTimeZone: 'UTC', target: 'throwaway', prefix: 'drill_', drillThreads: '4' };
  const out: FormValues = {
    enabled: policy.enabled ? 'on' : '',
    trigger: policy.trigger.kind,
    every: policy.trigger.kind === 'backups' ? String(policy.trigger.every) : '1',
    drillCron: policy.trigger.kind === 'schedule' ? policy.trigger.schedule.cron : '0 4 * * *',
    drillTimeZone: policy.trigger.kind === 'schedule' ? policy.trigger.schedule.timeZone : 'UTC',
    target: policy.target.kind === 'server' ? policy.target.serverId : 'throwaway',
    prefix: policy.prefix,
    drillThreads: String(policy.threads),
    rollForward: policy.rollForward ? 'on' : '',
  };
  policy.checks.forEach((c, i) => Object.assign(out, { [`checkName${i}`]: c.name, [`checkDatabase${i}`]: c.database, [`checkSql${i}`]: c.sql, [`checkCompare${i}`]: c.compare, [`checkExpected${i}`]: c.expected }));
  return out;
}

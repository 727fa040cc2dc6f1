import { z } from 'zod';
import type { Manifest } from '../core/manifest.ts';

// The restore form's optional point-in-time step: where rolling forward with the source's binary log
// stops. Pure (zod and words only): the form's server action, lib/runs and tests share it.

export const PitrKind = z.enum(['none', 'end', 'datetime', 'position', 'gtid']);
export type PitrKind = z.infer<typeof PitrKind>;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const POSITION = /^[A-Za-z0-9_.-]+\.\d+:\d+$/;
const MARIADB_GTID = /^\d+-\d+-\d+(,\d+-\d+-\d+)*$/;
const MYSQL_GTID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:/i;

/** `2026-12-03T14:30` (a datetime-local input) or `2026-12-03 14:30:05` → `2026-12-03 14:30:05`; null if not a real date and time. */
export function normalizeDatetime(text: string): string | null {
  const m = DATETIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}`;
}

/**
 * What the form sends: the chosen kind and the text of its field. Parsed into the stop point the
 * engine understands (`until`), with a message per field in the form's words.
 */
export const PitrTargetInput = z
  .object({
    kind: PitrKind.default('none'),
    value: z.string().trim().max(4096, { error: 'At most 4,096 characters' }).default(''),
  })
  .transform((input, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', path: ['value'], message });
      return z.NEVER;
    };
    switch (input.kind) {
      case 'none':
        return null;
      case 'end':
        return { kind: 'end' as const, value: '', until: 'end' };
      case 'datetime': {
        if (input.value === '') return fail('Enter the date and time to stop at (UTC)');
        const at = normalizeDatetime(input.value);
        if (!at) return fail(DATETIME.test(input.value) ? 'That date and time does not exist' : 'Enter a date and time like 2026-12-03 14:30:00 (UTC, whole seconds)');
        return { kind: 'datetime' as const, value: at, until: at };
      }
      case 'position': {
        if (input.value === '') return fail('Enter the binlog file and position to stop at');
        if (!POSITION.test(input.value)) return fail('Enter a binlog file and position like binlog.000042:1234');
        if (!Number.isSafeInteger(Number(input.value.slice(input.value.lastIndexOf(':') + 1)))) return fail('That position is too large');
        return { kind: 'position' as const, value: input.value, until: input.value };
      }
      case 'gtid': {
        if (input.value === '') return fail('Enter the GTID to stop at');
        const gtid = input.value.replace(/\s+/g, '');
        if (MYSQL_GTID.test(gtid)) return fail('MySQL GTID sets are not supported yet: stop at a binlog position or a date and time');
        if (!MARIADB_GTID.test(gtid)) return fail('Enter a MariaDB GTID like 0-1-500 (domain-server-sequence; several domains separated by commas)');
        const domains = gtid.split(',').map((g) => g.split('-')[0]);
        if (new Set(domains).size !== domains.length) return fail('Name each GTID domain once');
        return { kind: 'gtid' as const, value: gtid, until: gtid };
      }
    }
  });
export type PitrTargetInput = z.input<typeof PitrTargetInput>;
export type PitrTarget = NonNullable<z.output<typeof PitrTargetInput>>;

/** The stop point in words, for the form, the run page and the log. */
export function describePitrTarget(target: { kind: PitrKind; value: string }): string {
  switch (target.kind) {
    case 'none':
      return 'no roll forward';
    case 'end':
      return 'the end of the binary log';
    case 'datetime':
      return `${target.value} UTC`;
    case 'position':
      return `binlog position ${target.value}`;
    case 'gtid':
      return `GTID ${target.value}`;
  }
}

/**
 * Whether a dump can be rolled forward at all, and if not why, in words for the form. The engine
 * refuses the same cases with codes (NO_COORDINATES, SEVERAL_SNAPSHOTS); this says so
 * before the operator picks a stop point.
 */
export function pitrAvailability({ manifest, sourceServer }: { manifest: Manifest; sourceServer: { name: string } | null }): { available: true } | { available: false; reason: string } {
  if (manifest.consistency.mode === 'none') {
    return { available: false, reason: 'This backup was taken with “no locks”: its rows were not read at a known binary log position, so there is no point to roll forward from.' };
  }
  const snapshots = new Map(manifest.consistency.snapshots.map((s) => [s.id, s]));
  const tables = manifest.tables.filter((t) => !t.skipped);
  if (tables.some((t) => t.chunks.some((c) => !snapshots.get(c.snapshot)?.binlog))) {
    return { available: false, reason: 'The source had no binary log when this backup was taken: the backup has no binary log position to roll forward from.' };
  }
  const several = tables.find((t) => new Set(t.chunks.map((c) => c.snapshot)).size > 1);
  if (several) {
    return { available: false, reason: `This backup was resumed, so ${several.database}.${several.table} was read at two points in time: rolling forward needs one starting point per table. Take a new backup.` };
  }
  if (!sourceServer) return { available: false, reason: 'The server this backup was taken from is no longer saved: its binary log cannot be read.' };
  return { available: true };
}

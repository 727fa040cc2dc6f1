import { z } from 'zod';
import { badOption, ParadumpError } from '../core/errors.ts';
import { ThrottleOptions } from '../core/dump-options.ts';
import { KeyValue } from '../core/manifest.ts';
import { ConnectionTls } from '../mysql/tls.ts';
import { S3Settings } from '../storage/settings.ts';
import { KeyOption } from '../core/dump-options.ts';

/** How to reach the object store of an `s3://bucket/prefix` dump; the rest from the `AWS_*` environment. Never journaled. */
const storage = S3Settings.optional();
/** The key of an encrypted dump (`--decrypt-key-file`): required for one, checked against its manifest's key id before anything is read or changed. Never journaled. */
const decryption = KeyOption.optional();

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${name} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${name} must be an integer from ${min} to ${max}` });

/** `{ source: target }` database renames. MariaDB/MySQL database names are at most 64 characters. */
export const Renames = z
  .record(z.string().min(1, { error: 'rename: empty source database name' }), z.string().min(1, { error: 'rename: empty target database name' }).max(64, { error: 'rename: target database names are at most 64 characters' }))
  .default({});
export type Renames = z.infer<typeof Renames>;

const QualifiedTable = z.string().regex(/^[^.]+\..+$/, { error: 'tables must be given as db.table' });

/** Part of one table: chunk indexes from the manifest, and/or a key range (lower inclusive, upper exclusive). */
export const ChunkSelection = z
  .object({
    /** Chunk indexes as recorded in the manifest. */
    indexes: z.array(int('chunk index', 0, 1_000_000_000)).min(1, { error: 'chunks.indexes must not be empty' }).optional(),
    /** Inclusive lower key bound, in the manifest's key encoding (numbers, strings, `{ hex }`); null = open. */
    lower: z.array(KeyValue).min(1).nullable().optional(),
    /** Exclusive upper key bound; null = open. */
    upper: z.array(KeyValue).min(1).nullable().optional(),
  })
  .refine((c) => c.indexes !== undefined || c.lower != null || c.upper != null, { error: 'chunks needs indexes or a key range (lower/upper)' });
export type ChunkSelection = z.infer<typeof ChunkSelection>;

/** Options of one restore. */
export const RestoreOptions = z.object({
  /** The dump directory (holds manifest.json), or `s3://bucket/prefix`. */
  from: z.string().min(1, { error: 'from is required (the dump directory)' }),
  storage,
  decryption,
  /** `mysql://user:password@host:port` of the server to restore into. */
  target: z.string().min(1, { error: 'target is required (mysql://user:password@host:port)' }),
  /** TLS for every connection to the target. Never written to the journal. Default: the URI's `?ssl=true`, else off. */
  tls: ConnectionTls.optional(),
  /** Restore database `source` as `target`. @default {} */
  rename: Renames,
  /** Only these databases of the dump (names or glob patterns). Empty = all. */
  databases: z.array(z.string().min(1)).default([]),
  /** Only these tables (`db.table`, names or patterns, source names). No views, triggers, routines or events then. */
  tables: z.array(QualifiedTable).default([]),
  /** Only part of a table: needs `tables` naming exactly one table. Replaces those key ranges in an existing table. */
  chunks: ChunkSelection.optional(),
  /** Parallel loader connections. @default 4 */
  threads: int('threads', 1, 64).default(4),
  /** Drop target tables and objects that already exist with the same names. @default false */
  dropExisting: z.boolean().default(false),
  /** `SET SESSION sql_log_bin = 0` on every connection (needs SUPER or BINLOG ADMIN). @default false */
  noBinlog: z.boolean().default(false),
  /**
   * Create tables without their non-unique secondary indexes, add them after the data: a third less
   * of the server's work on the benchmark, for one table as for eight. @default true
   */
  deferIndexes: z.boolean().default(true),
  /**
   * How a SQL dump's rows go in. `load-data`: each file is rewritten, as it streams, into the lines a
   * tsv dump holds and sent with `LOAD DATA LOCAL INFILE` (the target needs local_infile; the
   * server does a fifth less work than parsing INSERTs). `insert`: the file's INSERTs. `auto`:
   * load-data when the target allows it and the manifest records column encodings, else insert.
   * A tsv dump always loads with LOAD DATA. @default "auto"
   */
  loadMethod: z.enum(['auto', 'insert', 'load-data']).default('auto'),
  /** Do not check file hashes before loading (existence is still checked). Loud. @default false */
  skipVerify: z.boolean().default(false),
  /** Continue an interrupted restore from its journal. @default false */
  resume: z.boolean().default(false),
  /** Create views, triggers, routines and events. @default true */
  objects: z.boolean().default(true),
  /**
   * Create every event DISABLED (an `ENABLE` in its definition becomes `DISABLE`; the body is left
   * as dumped), so none runs on a target whose event_scheduler is ON until someone enables it with
   * `ALTER EVENT … ENABLE`. Each event that was enabled in the dump is named in an
   * `EVENT_DISABLED` warning. Restore drills always set it. @default false
   */
  disableEvents: z.boolean().default(false),
  /**
   * Create the dump's users and roles with their grants (databases renamed as `rename` says),
   * after the data. An account the target has already is refused unless `skipExistingUsers`. @default false
   */
  users: z.boolean().default(false),
  /** With `users`: leave accounts the target has already as they are (reported as skipped). @default false */
  skipExistingUsers: z.boolean().default(false),
  /** Where the restore journal lives. @default "<from>/.paradump-restore" */
  stateDir: z.string().min(1).optional(),
  /** `maxRate` (bytes/s of data sent to the target) and `maxThreadsRunning` (the target's), as for a dump. */
  ...ThrottleOptions.shape,
});
export type RestoreOptionsInput = z.input<typeof RestoreOptions>;
export type RestoreOptions = z.infer<typeof RestoreOptions>;

/** Options of one verify: files only (no target), or the target's rows against the manifest. */
export const VerifyOptions = z.object({
  from: z.string().min(1, { error: 'from is required (the dump directory)' }),
  storage,
  /** With an encrypted dump, every data file is also decrypted and authenticated. */
  decryption,
  /** Compare the rows in this server with the manifest's per-chunk content hashes. */
  target: z.string().min(1).optional(),
  /** TLS for the connections to the target. Default: the URI's `?ssl=true`, else off. */
  tls: ConnectionTls.optional(),
  rename: Renames,
  databases: z.array(z.string().min(1)).default([]),
  tables: z.array(QualifiedTable).default([]),
  /** Only these chunks of the one table in `tables`. */
  chunks: ChunkSelection.optional(),
  /** Parallel readers (target) or hashers (files). @default 4 */
  threads: int('threads', 1, 64).default(4),
});
export type VerifyOptionsInput = z.input<typeof VerifyOptions>;
export type VerifyOptions = z.infer<typeof VerifyOptions>;

/** Where point-in-time recovery stops. */
export type StopPoint =
  /** The source's binlog end as it is when the replay starts. */
  | { kind: 'end' }
  /** Replay every transaction whose binlog timestamp is before this instant (second resolution). */
  | { kind: 'datetime'; at: Date }
  /** Replay events that start before this position of this file. */
  | { kind: 'position'; file: string; position: number }
  /** Replay up to and including these GTIDs (MariaDB `domain-server-seq`, comma separated). */
  | { kind: 'gtid'; gtid: string };

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const POSITION = /^([A-Za-z0-9_.-]+\.\d+):(\d+)$/;
const MARIADB_GTID = /^\d+-\d+-\d+(,\d+-\d+-\d+)*$/;

/**
 * Parses `--until`: `end`, a datetime (`2026-11-23 12:00:00`, UTC unless it has `Z` or an offset),
 * `binlog.000042:1234`, or a MariaDB GTID list (`0-1-500`).
 */
export function parseStopPoint(text: string): StopPoint {
  const t = text.trim();
  if (t === 'end') return { kind: 'end' };
  const dt = DATETIME.exec(t);
  if (dt) {
    if (dt[7] && !/^\.0*$/.test(dt[7])) {
      throw badOption('until', `binlog timestamps have one-second resolution; give whole seconds (got "${t}")`);
    }
    const [y, mo, d, h, mi, se] = dt.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const zone = dt[8] === undefined || dt[8] === 'Z' ? 'Z' : dt[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const at = new Date(`${dt[1]}-${dt[2]}-${dt[3]}T${dt[4]}:${dt[5]}:${dt[6]}${zone}`);
    const calendar = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
    if (Number.isNaN(at.getTime()) || calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
      throw badOption('until', `"${t}" is not a valid date and time`);
    }
    return { kind: 'datetime', at };
  }
  const pos = POSITION.exec(t);
  if (pos) {
    const position = Number(pos[2]);
    if (!Number.isSafeInteger(position)) throw badOption('until', `position ${pos[2]} is out of range`);
    return { kind: 'position', file: pos[1]!, position };
  }
  if (MARIADB_GTID.test(t)) {
    const domains = t.split(',').map((g) => g.split('-')[0]);
    if (new Set(domains).size !== domains.length) throw badOption('until', `GTID list "${t}" names a domain twice`);
    return { kind: 'gtid', gtid: t };
  }
  if (/^[0-9a-f-]{36}:/i.test(t)) {
    throw badOption('until', `MySQL GTID sets ("${t}") are not supported yet; use a binlog file:position or a datetime`);
  }
  throw badOption('until', `"${t}" is not a stop point: use end, a datetime (2026-11-23 12:00:00, UTC), binlog-file:position, or a GTID (0-1-500)`);
}

export const PitrOptions = z.object({
  from: z.string().min(1, { error: 'from is required (the dump directory)' }),
  storage,
  /** Not needed (only the manifest is read, and it is plain); when given, checked against the dump's key id. */
  decryption,
  /** The server the dump was taken from (its binary log is read). Not needed with `binlogDir`. */
  source: z.string().min(1, { error: 'source must be mysql://user:password@host:port' }).optional(),
  /** The server the dump was restored into. */
  target: z.string().min(1, { error: 'target is required (mysql://user:password@host:port)' }),
  /**
   * TLS to the source: the engine's connection and the binlog reader's. Default: the URI's
   * `?ssl=true`, else off. PEM reaches the reader as files in a private temp dir, removed after.
   */
  sourceTls: ConnectionTls.optional(),
  /** TLS to the target: the engine's check and the SQL client's. Default: the URI's `?ssl=true`, else off. */
  targetTls: ConnectionTls.optional(),
  /** Where to stop: see parseStopPoint. */
  until: z.string().min(1, { error: 'until is required (end, a datetime, binlog-file:position or a GTID)' }),
  rename: Renames,
  /** Only these databases of the dump. Empty = all of them. */
  databases: z.array(z.string().min(1)).default([]),
  /** Read binlog files from this directory instead of from the source server. */
  binlogDir: z.string().min(1).optional(),
  /** Print the plan and the exact commands; change nothing. @default false */
  dryRun: z.boolean().default(false),
  /**
   * Whether the replayed transactions go into the target's own binary log. `auto`: not when the
   * target is the source itself (the replay must never read what it wrote), yes otherwise (replicas
   * of the target see the recovered data). `on` into the source itself gives them the server's own
   * GTIDs. `off` needs SUPER or BINLOG ADMIN. @default auto
   */
  binlog: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The same as binlog: 'off' (kept for scripts written before `binlog`). @default false */
  noBinlog: z.boolean().default(false),
  /**
   * Continue an earlier replay into these databases from where the target records it stopped (its
   * paradump_recovery.pitr_progress row), to `until`. @default false
   */
  resume: z.boolean().default(false),
  /** The binlog reader. @default mariadb-binlog, else mysqlbinlog */
  binlogTool: z.string().min(1).optional(),
  /** The SQL client. @default mariadb, else mysql */
  clientTool: z.string().min(1).optional(),
}).refine((o) => o.source !== undefined || o.binlogDir !== undefined, { error: 'source is required (mysql://user:password@host:port), or binlogDir with the binlog files', path: ['source'] });
export type PitrOptionsInput = z.input<typeof PitrOptions>;
export type PitrOptions = z.infer<typeof PitrOptions>;


/** `src:dst` pairs from the command line into a rename map, refusing duplicates. */
export function parseRenames(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) throw new ParadumpError('BAD_OPTION', `rename "${pair}" must be source:target (two database names)`);
    const from = pair.slice(0, colon);
    const to = pair.slice(colon + 1);
    if (from in out) throw new ParadumpError('BAD_OPTION', `database "${from}" is renamed twice`);
    out[from] = to;
  }
  return out;
}

/** `3,5-7` → [3, 5, 6, 7]. */
export function parseChunkIndexes(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ParadumpError('BAD_OPTION', `chunks: "${part}" is not a chunk index or a range like 5-7`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new ParadumpError('BAD_OPTION', `chunks: range ${part} runs backwards`);
    if (to - from > 1_000_000) throw new ParadumpError('BAD_OPTION', `chunks: range ${part} is too large`);
    for (let i = from; i <= to; i++) out.add(i);
  }
  if (out.size === 0) throw new ParadumpError('BAD_OPTION', 'chunks: give chunk indexes, e.g. 3,5-7');
  return [...out].sort((a, b) => a - b);
}

/**
 * A key bound from the command line, in the manifest's key encoding: a JSON array for a composite
 * key (`[3,"b"]`), or one value (`1000`, `"abc"`, `abc`). Integers beyond 2^53 stay digit strings;
 * bytes are `{"hex":"00ff"}`.
 */
export function parseKeyBound(name: string, text: string): KeyValue[] {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return [Number.isSafeInteger(Number(t)) ? Number(t) : t];
  let value: unknown;
  try {
    // Keep big integers exact: quote digit runs that JSON would round.
    value = JSON.parse(t.replace(/(?<=[[,\s])(-?\d{16,})(?=\s*[,\]])/g, '"$1"'));
  } catch {
    return [t];
  }
  const list = Array.isArray(value) ? value : [value];
  const parsed = z.array(KeyValue).min(1).safeParse(list);
  if (!parsed.success) throw new ParadumpError('BAD_OPTION', `${name}: ${JSON.stringify(text)} is not a key value (numbers, strings or {"hex": "…"}, in a JSON array for a composite key)`);
  return parsed.data;
}

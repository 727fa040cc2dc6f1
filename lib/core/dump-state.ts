import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DumpRequest } from './dump-options.ts';
import { ParadumpError } from './errors.ts';
import { DatabaseRecord, KeyColumnRecord, KeyValue } from './manifest.ts';
import { insideDir, writeFileAtomic } from './write-file-atomic.ts';

/**
 * What a dump decided before reading any row — options, schema files, every table's columns and
 * chunk ranges — written once planning is done. Resume reads it back so the chunks it dumps line up
 * exactly with the ones already on disk.
 */
export const STATE_FILE = 'dump-state.json';

const ColumnState = z.object({
  name: z.string(),
  dataType: z.string(),
  columnType: z.string(),
  charset: z.string().nullable(),
  collation: z.string().nullable(),
  nullable: z.boolean(),
  generated: z.boolean(),
  invisible: z.boolean(),
  encoding: KeyColumnRecord.shape.encoding,
});

export const TablePlanState = z.object({
  info: z.object({
    database: z.string(),
    name: z.string(),
    engine: z.string().nullable(),
    transactional: z.boolean(),
    rowsEstimate: z.number(),
    bytesEstimate: z.number(),
    columns: z.array(ColumnState),
    indexes: z.array(z.object({ name: z.string(), unique: z.boolean(), columns: z.array(z.string()), usable: z.boolean() })),
  }),
  columns: z.array(ColumnState),
  keyColumns: z.array(ColumnState),
  chunkIndex: z.string().nullable(),
  schemaFile: z.string(),
  chunks: z.array(z.object({ index: z.number().int(), lower: z.array(KeyValue).nullable(), upper: z.array(KeyValue).nullable() })),
  skipped: z.object({ code: z.string(), reason: z.string() }).nullable(),
});
export type TablePlanState = z.infer<typeof TablePlanState>;

export const DumpState = z.object({
  format: z.literal('paradump-state'),
  version: z.literal(1),
  startedAt: z.string(),
  source: z.object({ host: z.string(), port: z.number().int() }),
  /** Everything the dump was asked for: a resume dumps exactly this (older state files: defaults). */
  options: DumpRequest,
  databases: z.array(DatabaseRecord),
  plans: z.array(TablePlanState),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), database: z.string().optional(), table: z.string().optional() })),
});
export type DumpState = z.infer<typeof DumpState>;

export async function writeDumpState(outDir: string, state: DumpState): Promise<void> {
  await writeFileAtomic(outDir, STATE_FILE, JSON.stringify(DumpState.parse(state)) + '\n');
}

/** Null when the dump was interrupted before planning finished (nothing worth keeping yet). */
export async function readDumpState(outDir: string): Promise<DumpState | null> {
  let text: string;
  try {
    text = await readFile(insideDir(outDir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = DumpState.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ParadumpError('MANIFEST_INVALID', `${STATE_FILE} in ${outDir} is not a paradump dump state: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

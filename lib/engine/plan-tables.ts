import { qualified } from '../core/sql-names.ts';
import { runPool } from '../core/run-pool.ts';
import type { Session } from '../mysql/session.ts';
import { chunksFromBoundaries, type PlannedChunk } from './plan-chunks.ts';
import { isSealing } from '../storage/sealing-target.ts';
import type { StorageTarget } from '../storage/target.ts';
import { putTableSchema, readTableCreate, syncFiles, writeTableSchemaFile } from './write-schema.ts';

/** Tables counted in one statement: one round trip per batch instead of one or more per table. */
const COUNT_BATCH = 200;

interface PlanLike {
  info: { database: string; name: string; rowsEstimate: number };
  schemaFile: string;
  chunks: PlannedChunk[];
  skipped: unknown;
}

/**
 * Reads every table's CREATE TABLE on all the given sessions at once (one round trip per table,
 * spread over the connections) and writes the files unsynced; they are fsynced together at the
 * end, before the plan that names them is written. `onError` decides about a table that failed
 * (dropped since discovery): it rethrows or marks the plan skipped.
 */
export async function writeTableSchemas<P extends PlanLike>(args: {
  sessions: readonly Session[];
  target: StorageTarget;
  plans: readonly P[];
  signal: AbortSignal | undefined;
  onError: (plan: P, error: unknown) => Promise<void>;
}): Promise<void> {
  const written: string[] = [];
  const madeDirs = new Set<string>();
  await runPool({
    workers: args.sessions,
    tasks: args.plans.filter((p) => !p.skipped),
    signal: args.signal,
    run: async (plan, session) => {
      try {
        const create = await readTableCreate({ session, database: plan.info.database, table: plan.info.name });
        // An encrypted dump's schema files are sealed by the target's put (each its own fsync).
        if (args.target.remote || isSealing(args.target)) plan.schemaFile = await putTableSchema(args.target, plan.info.database, plan.info.name, create);
        else plan.schemaFile = writeTableSchemaFile({ outDir: args.target.location, database: plan.info.database, table: plan.info.name, create, madeDirs });
        written.push(plan.schemaFile);
      } catch (error) {
        await args.onError(plan, error);
      }
    },
  });
  if (!args.target.remote) await syncFiles(args.target.location, written);
}

/**
 * Plans tables on the reader sessions. Tables whose estimate is below a chunk are counted in
 * batches, reading at most `chunkRows + 1` rows each (`COUNT(*)` over a `LIMIT`): a table with at
 * most `chunkRows` rows is one chunk whatever its key (what planChunks would find), with no MIN/MAX
 * or key-walk round trips. The rest, and the tables a batch could not count (one was dropped, or
 * the estimate was stale), go to `planOne`, the per-table planner.
 */
export async function planTables<P extends PlanLike>(args: {
  planners: readonly Session[];
  plans: readonly P[];
  chunkRows: number;
  signal: AbortSignal | undefined;
  planOne: (plan: P, session: Session) => Promise<void>;
  onPlanned: (plan: P) => void;
}): Promise<void> {
  const live = args.plans.filter((p) => !p.skipped);
  const small = live.filter((p) => p.info.rowsEstimate < args.chunkRows);
  const rest = live.filter((p) => p.info.rowsEstimate >= args.chunkRows);
  const batches: P[][] = [];
  for (let i = 0; i < small.length; i += COUNT_BATCH) batches.push(small.slice(i, i + COUNT_BATCH));
  await runPool({
    workers: args.planners,
    tasks: batches,
    signal: args.signal,
    run: async (batch, session) => {
      const counts = await countUpTo(session, batch, args.chunkRows).catch(() => null);
      batch.forEach((plan, i) => {
        const n = counts?.[i];
        if (n === undefined || n > args.chunkRows) {
          rest.push(plan);
          return;
        }
        plan.chunks = chunksFromBoundaries([]);
        args.onPlanned(plan);
      });
    },
  });
  await runPool({ workers: args.planners, tasks: rest, signal: args.signal, run: (plan, session) => args.planOne(plan, session) });
}

/** Row counts capped at `limit + 1`, in batch order; rejects if any table cannot be read. */
async function countUpTo(session: Session, batch: readonly PlanLike[], limit: number): Promise<number[]> {
  const sql = batch.map((p, i) => `SELECT ${i}, COUNT(*) FROM (SELECT 1 FROM ${qualified(p.info.database, p.info.name)} LIMIT ${limit + 1}) AS t${i}`).join(' UNION ALL ');
  const rows = await session.queryRaw(sql);
  const counts: number[] = [];
  for (const row of rows) counts[Number(row[0]!.toString('latin1'))] = Number(row[1]!.toString('latin1'));
  return counts;
}

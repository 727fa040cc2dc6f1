import { applyDelta } from './apply-delta.ts';
import { tableKey } from './run-view.ts';
import type { ChunkView, RunDelta, RunState, TableView } from './schemas.ts';

/**
 * A live run's state on the server, changed in place. applyDelta copies the table list and the
 * table's chunk list on every change: O(tables + chunks) per event, quadratic over a run of 20,000
 * chunks. Here a table is found through a map and a chunk by its index, so an event costs O(1).
 * Nothing outside the live run holds on to this state: pages and streams get copies (views).
 */
export class LiveState {
  state: RunState;
  private readonly positions = new Map<string, number>();

  constructor(state: RunState) {
    this.state = { ...state, tables: state.tables.map((t) => ({ ...t, chunks: t.chunks.slice() })) };
    this.state.tables.forEach((t, i) => this.positions.set(tableKey(t.database, t.table), i));
  }

  table(database: string, table: string): TableView | undefined {
    const at = this.positions.get(tableKey(database, table));
    return at === undefined ? undefined : this.state.tables[at];
  }

  chunk(database: string, table: string, index: number): ChunkView | undefined {
    const chunks = this.table(database, table)?.chunks;
    if (!chunks) return undefined;
    // Chunks are planned in index order from 0: the index is the position, except in hand-made states.
    const direct = chunks[index];
    return direct?.index === index ? direct : chunks.find((c) => c.index === index);
  }

  apply(delta: RunDelta): void {
    switch (delta.type) {
      case 'table':
        return this.putTable(delta.table);
      case 'table-status': {
        const t = this.table(delta.database, delta.table);
        if (t) {
          t.status = delta.status;
          t.skip = delta.skip;
        }
        return;
      }
      case 'chunk':
        return this.putChunk(delta.database, delta.table, delta.chunk);
      default:
        // Run-level changes copy only small lists (log, samples, locks); the table list is shared.
        this.state = applyDelta(this.state, delta);
    }
  }

  private putTable(table: TableView): void {
    const k = tableKey(table.database, table.table);
    const at = this.positions.get(k);
    if (at === undefined) {
      this.positions.set(k, this.state.tables.length);
      this.state.tables.push({ ...table, chunks: table.chunks.slice() });
      return;
    }
    // Planned again on resume: keep what is known of chunks already written.
    const old = new Map(this.state.tables[at]!.chunks.map((c) => [c.index, c]));
    this.state.tables[at] = {
      ...table,
      chunks: table.chunks.map((c) => {
        const prev = old.get(c.index);
        return prev && prev.state === 'done' ? prev : c;
      }),
    };
  }

  private putChunk(database: string, table: string, chunk: ChunkView): void {
    const t = this.table(database, table);
    if (!t) return;
    const at = t.chunks[chunk.index]?.index === chunk.index ? chunk.index : t.chunks.findIndex((c) => c.index === chunk.index);
    if (at < 0) t.chunks.push(chunk);
    else t.chunks[at] = chunk;
    if (t.status === 'planned' && chunk.state !== 'pending') t.status = 'running';
  }
}

/** Where an event's previous chunk is looked up: a live state (O(1)) or a plain one (tests). */
export type ChunkSource = RunState | Pick<LiveState, 'chunk'>;

export function findChunk(source: ChunkSource, database: string, table: string, index: number): ChunkView | undefined {
  if ('chunk' in source) return source.chunk(database, table, index);
  return source.tables.find((t) => t.database === database && t.table === table)?.chunks.find((c) => c.index === index);
}

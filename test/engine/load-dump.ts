import path from 'node:path';
import type { Manifest } from '../../lib/core/manifest.ts';
import { runSqlFile } from '../harness/db.ts';

/**
 * Loads a dump's files into `target` with the `mariadb` client, the way an operator could by hand:
 * sequences and tables, then every chunk, then views, triggers, routines and events. (The restore
 * engine has its own tests; this proves the files themselves are complete and exact.)
 */
export async function loadDumpWithClient({ uri, dir, manifest, source, target }: { uri: string; dir: string; manifest: Manifest; source: string; target: string }): Promise<void> {
  const db = manifest.databases.find((d) => d.name === source);
  if (!db) throw new Error(`database ${source} is not in the dump`);
  const run = (file: string) => runSqlFile(uri, target, path.join(dir, file));
  for (const o of db.objects.filter((o) => o.type === 'sequence')) await run(o.file);
  const tables = manifest.tables.filter((t) => t.database === source && !t.skipped);
  for (const t of tables) await run(t.schemaFile);
  for (const t of tables) for (const c of t.chunks) await run(c.file);
  for (const o of db.objects.filter((o) => o.type !== 'sequence')) await run(o.file);
}

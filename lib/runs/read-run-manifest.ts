import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ParadumpError } from '../core/errors.ts';
import { Manifest, MANIFEST_FILE } from '../core/manifest.ts';
import { TlsMode } from '../core/tls-modes.ts';
import { getPrisma } from '../store/prisma.ts';
import { getLiveRun } from './registry.ts';

/** The run's manifest.json, read and checked against the engine's schema. */
export async function readRunManifest({ id }: { id: string }): Promise<{ manifest: Manifest; text: string; outDir: string; serverId: string | null; serverName: string | null; serverTlsMode: TlsMode | null; runId: string }> {
  const run = await getPrisma().run.findUnique({ where: { id }, select: { id: true, kind: true, status: true, outDir: true, server: { select: { id: true, name: true, tlsMode: true } } } });
  if (!run) throw new ParadumpError('RUN_NOT_FOUND', `no run ${id}`);
  let text: string;
  try {
    text = await readFile(path.join(run.outDir, MANIFEST_FILE), 'utf8');
  } catch {
    // Not there yet is not missing: only a stopped run is to be resumed to get one.
    const live = getLiveRun(id);
    if ((live && !live.ended) || run.status === 'running' || run.status === 'queued') throw new ParadumpError('MANIFEST_NOT_YET', `run ${id} is still running`);
    throw new ParadumpError('NO_MANIFEST', `${run.outDir} has no ${MANIFEST_FILE}`);
  }
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ParadumpError('MANIFEST_INVALID', `${MANIFEST_FILE} does not match the manifest schema: ${parsed.error.issues[0]?.message ?? ''}`);
  return { manifest: parsed.data, text, outDir: run.outDir, serverId: run.server?.id ?? null, serverName: run.server?.name ?? null, serverTlsMode: run.server ? TlsMode.catch('off').parse(run.server.tlsMode) : null, runId: run.id };
}

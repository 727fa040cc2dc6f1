import { buildSummary } from '@/lib/runs/build-restore-kit.ts';
import { readRunManifest } from '@/lib/runs/read-run-manifest.ts';
import { attachment, errorReply } from '../../_reply.ts';

import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';

export const dynamic = 'force-dynamic';

/** A plain-text summary of the dump: coordinates, consistency, tables and chunk checksums. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const { id } = await params;
  try {
    const { manifest, outDir } = await readRunManifest({ id });
    return attachment(`summary-${id}.txt`, buildSummary({ manifest, outDir, runId: id }), 'text/plain; charset=utf-8');
  } catch (error) {
    return errorReply(error);
  }
}

import { buildRestoreScript } from '@/lib/runs/build-restore-kit.ts';
import { readRunManifest } from '@/lib/runs/read-run-manifest.ts';
import { attachment, errorReply } from '../../_reply.ts';

import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';

export const dynamic = 'force-dynamic';

/** A shell script with the exact restore / verify / pitr commands for this run. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const { id } = await params;
  try {
    const { manifest, outDir, serverTlsMode } = await readRunManifest({ id });
    return attachment(`restore-kit-${id}.sh`, buildRestoreScript({ manifest, outDir, runId: id, threads: manifest.options.threads, sourceTlsMode: serverTlsMode }), 'text/x-shellscript; charset=utf-8');
  } catch (error) {
    return errorReply(error);
  }
}

import { readRunManifest } from '@/lib/runs/read-run-manifest.ts';
import { attachment, errorReply } from '../../_reply.ts';

import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';

export const dynamic = 'force-dynamic';

/** The run's manifest.json as written by the engine (checked against its schema first). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const { id } = await params;
  try {
    const { text } = await readRunManifest({ id });
    return attachment(`manifest-${id}.json`, text, 'application/json; charset=utf-8');
  } catch (error) {
    return errorReply(error);
  }
}

import { openRunStream, SSE_HEADERS } from '@/lib/runs/open-run-stream.ts';
import { errorReply } from '../../_reply.ts';

import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';

export const dynamic = 'force-dynamic';

/** The run's live changes as Server-Sent Events. A reconnecting EventSource sends Last-Event-ID. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const { id } = await params;
  const lastEventId = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('after');
  try {
    const stream = await openRunStream({ id, lastEventId, stillAuthorised: async () => (await sessionFromRequest(request)) !== null });
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (error) {
    return errorReply(error);
  }
}

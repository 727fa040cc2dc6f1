import { z } from 'zod';
import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';
import { loadTableChunks } from '@/lib/runs/load-run-state.ts';
import { errorReply } from '../../_reply.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({
  database: z.string().min(1),
  table: z.string().min(1),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

/** A window of one table's chunks (`?database=&table=&offset=&limit=`): the run page's drill-down into the chunk map. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const { id } = await params;
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return Response.json({ code: 'BAD_OPTION', title: 'The query is not valid', hint: query.error.issues[0]?.message ?? '' }, { status: 400 });
  try {
    return Response.json(await loadTableChunks({ id, ...query.data }), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorReply(error);
  }
}

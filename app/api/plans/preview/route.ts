import { sessionFromRequest, unauthorized } from '@/lib/auth/require-session.ts';
import { previewPlan, PreviewInput } from '@/lib/plans/preview-plan.ts';
import { errorReply } from '../../runs/_reply.ts';

export const dynamic = 'force-dynamic';

/** The plan form's live preview: next five runs of the schedule, and what retention would keep. POST: it reads a draft, it changes nothing. */
export async function POST(request: Request): Promise<Response> {
  if (!(await sessionFromRequest(request))) return unauthorized();
  const input = PreviewInput.safeParse(await request.json().catch(() => null));
  if (!input.success) return Response.json({ code: 'BAD_OPTION', title: 'An option is not valid', hint: input.error.issues[0]?.message ?? '' }, { status: 400 });
  try {
    return Response.json(await previewPlan(input.data), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorReply(error);
  }
}

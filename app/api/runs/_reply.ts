import { describeError, errorCode } from '@/lib/runs/errors.ts';

/** An expected failure as JSON in the dashboard's words; anything else is left to Next's 500. */
export function errorReply(error: unknown): Response {
  const code = errorCode(error);
  if (code === 'INTERNAL') throw error;
  const words = describeError(code);
  return Response.json({ code, title: words.title, hint: words.hint }, { status: words.httpStatus });
}

export function attachment(name: string, body: string, type: string): Response {
  return new Response(body, {
    headers: { 'Content-Type': type, 'Content-Disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`, 'Cache-Control': 'no-store' },
  });
}

import { NextResponse, type NextRequest } from 'next/server';

/**
 * A path with malformed percent-encoding (`%ZZ`, overlong UTF-8 like `%c0%ae`) cannot name a run:
 * answer 400 here, before the router fails to decode it and answers 500.
 */
export function proxy(request: NextRequest): NextResponse {
  try {
    decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return NextResponse.json({ code: 'BAD_PATH', title: 'Not a valid address', hint: 'The path is not valid percent-encoding.' }, { status: 400 });
  }
  return NextResponse.next();
}

export const config = { matcher: ['/api/:path*', '/runs/:path*'] };

import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, hardeningHeaders, pageFillHeader, pageFillTokenEnv } from '../server/security-headers';

/**
 * Every page rendered per request gets a Content-Security-Policy with a fresh nonce and the
 * hardening headers (server/security-headers.ts). Next.js reads the nonce from the request's CSP
 * header and puts it on its own scripts, so no other inline script can run: even if something a
 * user wrote slipped through the Markdown sanitiser, the browser would refuse it. `strict-dynamic`
 * lets the nonced scripts load Next.js' chunks.
 *
 * The page cache's own renders (server/front-door.ts, marked with the server's secret) get no
 * nonce: a cached page goes to every reader, so the cache gives it a policy of the hashes of its
 * inline scripts instead, and the hardening headers.
 */
export function proxy(request: NextRequest) {
  const token = process.env[pageFillTokenEnv];
  if (token && request.headers.get(pageFillHeader) === token) return NextResponse.next();

  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = contentSecurityPolicy(
    [`'self'`, `'nonce-${nonce}'`, "'strict-dynamic'"],
    process.env.NODE_ENV === 'development',
  );
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  for (const [name, value] of Object.entries(hardeningHeaders)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages, feeds and the sitemap; not the hashed static assets, which carry no markup.
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};

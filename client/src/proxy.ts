import { NextResponse, type NextRequest } from 'next/server';

/**
 * Every page gets a Content-Security-Policy with a fresh nonce and the usual
 * hardening headers. Next.js reads the nonce from the request's CSP header and
 * puts it on its own scripts (pages render per request anyway: the layout
 * reads the session), so no other inline script can run: even if something a
 * user wrote slipped through the Markdown sanitiser, the browser would refuse
 * it. `strict-dynamic` lets the nonced scripts load Next.js' chunks.
 *
 * Styles allow 'unsafe-inline': React sets style attributes (the avatar's hue),
 * which a nonce cannot cover; CSS cannot run script. Pictures come from any
 * http(s) host (a profile picture is a URL the user gives). The browser talks
 * to the API on this same origin only (connect-src 'self').
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const dev = process.env.NODE_ENV === 'development';
  const policy = [
    "default-src 'self'",
    // React's development build evaluates code for its error overlay; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('X-Frame-Options', 'DENY');
  response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  // Browsers heed it only over HTTPS (production, behind the load balancer) and ignore it on plain http.
  response.headers.set('Strict-Transport-Security', 'max-age=31536000');
  return response;
}

export const config = {
  // Pages, feeds and the sitemap; not the hashed static assets, which carry no markup.
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};

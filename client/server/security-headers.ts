/**
 * What every page's response says about itself to the browser, in one place: the page proxy
 * (src/proxy.ts) sets it on pages rendered per request, the page cache (page-cache.ts) on cached
 * pages. Plain TypeScript, imported by both the Next.js bundle and the server.
 */

/** The hardening headers besides the Content-Security-Policy. */
export const hardeningHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Browsers heed it only over HTTPS (production, behind the load balancer) and ignore it on plain http.
  'Strict-Transport-Security': 'max-age=31536000',
};

/**
 * The Content-Security-Policy with the page's script sources: a fresh nonce and `strict-dynamic`
 * for a page rendered per request, or `'self'` and the hashes of its inline scripts for a cached
 * page (the same bytes for every reader, so a nonce would be no secret). Never `unsafe-inline`
 * for scripts.
 *
 * Styles allow 'unsafe-inline': React sets style attributes (the avatar's hue), which neither a
 * nonce nor a hash can cover; CSS cannot run script. Pictures come from any http(s) host (a
 * profile picture is a URL the user gives). The browser talks to the API on this same origin only
 * (connect-src 'self').
 */
export function contentSecurityPolicy(scriptSources: readonly string[], dev = false): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code for its error overlay; production never does.
    `script-src ${[...scriptSources, ...(dev ? ["'unsafe-eval'"] : [])].join(' ')}`,
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
}

/**
 * The request header of the page cache's own renders (see front-door.ts): its value is a secret of
 * the server process (`PAGE_FILL_TOKEN_ENV`), so no outside request can pass for one. The page
 * proxy gives such a render no nonce: the cache hashes its scripts instead.
 */
export const pageFillHeader = 'x-postline-page-fill';
export const pageFillTokenEnv = 'POSTLINE_PAGE_FILL_TOKEN';

/**
 * Marks an element of a page that shows a failure (a read that failed) rather than the data: such
 * a page is served but never cached, so the next reader gets a new try.
 */
export const incompletePageAttribute = 'data-page-incomplete';

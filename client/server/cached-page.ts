import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import fresh from 'fresh';
import { parse } from 'node-html-parser';
import { contentSecurityPolicy, hardeningHeaders, incompletePageAttribute } from './security-headers';

/** A page as the cache keeps it: the bytes every reader gets, and what goes with them. */
export interface CachedPage {
  /** 200, or 404 for a page that shows nothing (a missing post, an unused tag): kept with its status. */
  status: 200 | 404;
  body: Buffer;
  /** The same bytes gzipped once, for the browsers that accept it. */
  gzipped: Buffer;
  etag: string;
  headers: OutgoingHttpHeaders;
  /** Bytes held (both bodies), for the cache's bound. */
  size: number;
}

/** What a script element may be for the browser to run it (https://html.spec.whatwg.org/#javascript-mime-type). */
const javascriptTypes = new Set(['', 'text/javascript', 'application/javascript', 'module']);

/**
 * The `'sha256-…'` sources of a page's inline scripts: Next.js writes the page's data as inline
 * scripts (`self.__next_f.push(…)`), different on every page, so a cached page carries the hashes
 * of its own. Scripts with `src` are Next.js' chunks from this origin (`'self'`); data blocks
 * (JSON-LD) never run and need nothing.
 */
export function inlineScriptHashes(html: string): string[] {
  const root = parse(html, { blockTextElements: { script: true } });
  const hashes = new Set<string>();
  for (const script of root.querySelectorAll('script')) {
    if (script.hasAttribute('src')) continue;
    if (!javascriptTypes.has((script.getAttribute('type') ?? '').trim().toLowerCase())) continue;
    hashes.add(`'sha256-${createHash('sha256').update(script.rawText, 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

/** Whether the page shows a failed read instead of data (see incompletePageAttribute). */
export function isIncomplete(html: string): boolean {
  return parse(html).querySelector(`[${incompletePageAttribute}]`) !== null;
}

/**
 * A rendered page made cacheable: a Content-Security-Policy of `'self'` and the hashes of its
 * inline scripts (no nonce: every reader gets these bytes), the hardening headers, a strong ETag
 * of the bytes, and `Cache-Control: no-cache`, so a browser (or any cache) may keep the page but
 * asks each time, and gets a 304 while it has not changed.
 */
export function cachedPageOf(html: string, contentType: string, status: 200 | 404 = 200): CachedPage {
  const body = Buffer.from(html, 'utf8');
  const gzipped = gzipSync(body);
  return {
    status,
    body,
    gzipped,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
    headers: {
      'Content-Type': contentType,
      'Content-Security-Policy': contentSecurityPolicy(["'self'", ...inlineScriptHashes(html)]),
      ...hardeningHeaders,
      'Cache-Control': 'no-cache',
      Vary: 'Accept-Encoding',
    },
    size: body.length + gzipped.length,
  };
}

/** Sends the page: a 304 when the browser has it, gzipped when it accepts that, no body for HEAD. */
export function sendCachedPage(req: IncomingMessage, res: ServerResponse, page: CachedPage): void {
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  // Each encoding is its own representation, with its own validator.
  const etag = gzip ? `${page.etag.slice(0, -1)}-gz"` : page.etag;
  // `fresh` decides as Express does for `res.send`: If-None-Match (weak comparison, `*`), unless no-cache.
  if (page.status === 200 && fresh(req.headers, { etag })) {
    res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' });
    res.end();
    return;
  }
  const body = gzip ? page.gzipped : page.body;
  res.writeHead(page.status, {
    ...page.headers,
    ETag: etag,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    'Content-Length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

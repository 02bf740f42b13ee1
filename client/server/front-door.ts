import type { IncomingMessage, ServerResponse } from 'node:http';
import { cachedPageOf, isIncomplete, sendCachedPage, type CachedPage } from './cached-page';
import type { PageCache } from './page-cache';
import { pageFillHeader } from './security-headers';

/**
 * The pages served from the cache: the same for every reader (they read the query service
 * anonymously; what is personal comes from the browser's own requests after load). Other pages
 * (the editor, drafts, the feed, moderation, sign-in, search) are rendered per request.
 */
const cachedPaths = [/^\/$/, /^\/posts\/[^/]+$/, /^\/tags\/[^/]+$/];

/** Next.js' own requests for a page's data (client navigation, refresh, prefetch, actions): rendered per request. */
const nextDataHeaders = ['rsc', 'next-router-state-tree', 'next-router-prefetch', 'next-action', 'next-url'];

/** Whether the request is a document load of a cached page. */
export function isCachedPageRequest(req: IncomingMessage): boolean {
  // Origin-form only (`/path?query`), as the gateway sends: the URL is asked of this same server on a miss.
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url?.startsWith('/')) return false;
  const url = new URL(req.url, 'http://page');
  if (url.searchParams.has('_rsc') || nextDataHeaders.some((h) => req.headers[h] !== undefined)) return false;
  return cachedPaths.some((path) => path.test(url.pathname));
}

export interface FrontDoorOptions {
  cache: PageCache;
  /** This server's own origin, where a render is asked for (`http://127.0.0.1:<port>`). */
  origin: () => string;
  /** The value of the page-fill header that marks the cache's own renders. */
  fillToken: string;
  /** Next.js' request handler. */
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  onError: (err: unknown, url: string) => void;
}

/**
 * The request listener in front of Next.js: a document load of a cached page is answered from
 * the cache (rendered first on a miss); everything else, and a page that cannot be cached, goes
 * to Next.js as it came.
 *
 * A miss is rendered by asking this same server for the page as an anonymous reader would (no
 * cookie, no authorization), with the page-fill header: the render is then exactly what every
 * reader may get, whoever triggered it.
 */
export function frontDoor(options: FrontDoorOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const render = async (url: string): Promise<CachedPage | undefined> => {
    const res = await fetch(`${options.origin()}${url}`, {
      headers: { Accept: 'text/html', [pageFillHeader]: options.fillToken },
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    const html = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    // Only a whole page (or the page saying there is nothing here, with its 404), and nothing that
    // sets a cookie, is the same for everyone.
    if (res.status !== 200 && res.status !== 404) return undefined;
    if (!contentType.startsWith('text/html') || res.headers.has('set-cookie')) return undefined;
    if (isIncomplete(html)) return undefined;
    return cachedPageOf(html, contentType, res.status);
  };

  return async (req, res) => {
    if (req.headers[pageFillHeader] === options.fillToken || !isCachedPageRequest(req)) return options.next(req, res);
    const url = req.url ?? '/';
    let page: CachedPage | undefined;
    try {
      page = await options.cache.get(url, () => render(url));
    } catch (err) {
      options.onError(err, url);
    }
    if (page) sendCachedPage(req, res, page);
    else await options.next(req, res);
  };
}

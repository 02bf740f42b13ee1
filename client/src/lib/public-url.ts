import 'server-only';

/**
 * The origin readers reach the blog at (`PUBLIC_URL`, e.g. `https://blog.example.com`), for what
 * must carry absolute URLs: feeds, the sitemap, robots.txt, canonical and Open Graph links. Read
 * per request like the service URLs, so one build serves any host; the default is the local
 * gateway of `npm start`.
 */
export const DEFAULT_PUBLIC_URL = 'http://localhost:8080';

export function publicOrigin(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PUBLIC_URL?.trim() || DEFAULT_PUBLIC_URL;
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    url = new URL('invalid:');
  }
  // The app is served at the root of its origin (the gateway routes `/` to it): a path cannot be honoured.
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`PUBLIC_URL must be an http(s) origin such as https://blog.example.com, not "${configured}"`);
  }
  return url.origin;
}

/** An absolute URL on the public origin for a path of the site (`/posts/x` → `https://…/posts/x`). */
export function publicUrl(path: string): string {
  return `${publicOrigin()}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Where to go after signing in: `next` only when it resolves, as the browser would resolve it,
 * to a page of this site. URL parsing, not string prefixes: browsers read `/\evil.example` and
 * `/\t/evil.example` as `//evil.example`, another origin, which a prefix check lets through.
 * Anything else goes to the home page.
 */
export function safeNext(next: string | undefined, origin: string): string {
  if (!next) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(origin).origin) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
